import NN

/// Step 3's network, which step 10 trains again across processes.
///
/// VGG-style for 28x28: (conv-BN-ReLU) x2, pool, (conv-BN-ReLU) x2, pool, dense 256, dropout, dense 10. Step 3's
/// section 7 leaves out batch norm or dropout to measure what they add; step 10 gives it a synchronised batch
/// norm (`normalization`).
// notebook: vgg-style-net
public func vggStyleNet(
    batchNorm: Bool = true, dropout: Bool = true, normalization: (Int) -> Module = { BatchNorm2d($0) }
) -> Sequential {
    Sequential {
        for (input, output) in [(1, 16), (16, 16)] {
            Conv2d(input, output, kernelSize: 3, padding: 1)
            if batchNorm { normalization(output) }
            ReLU()
        }
        MaxPool2d(kernelSize: 2)
        for (input, output) in [(16, 32), (32, 64)] {
            Conv2d(input, output, kernelSize: 3, padding: 1)
            if batchNorm { normalization(output) }
            ReLU()
        }
        MaxPool2d(kernelSize: 2)
        Flatten()
        Linear(64 * 7 * 7, 256)
        ReLU()
        if dropout { Dropout(probability: 0.3) }
        Linear(256, 10)
    }
}
// end notebook
