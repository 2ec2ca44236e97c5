import Autograd
import NN
import TutorialSupport
import Zoo

extension ImageNetClassification {
    /// Section 2: what EfficientNet-Lite0 is made of, the network of steps 5, 7 and 9: its inverted residual
    /// blocks, their depthwise convolutions and ReLU6, read from the model itself.
    func insideLite0() {
        explain(
            "2. Inside EfficientNet-Lite0",
            """
            Lite0 is a stem convolution, 16 inverted residual blocks (MobileNetV2's), a 1x1 head convolution to
            1280 channels, an average over the image and one dense layer. A block widens its channels 6 times
            with a 1x1 convolution (all but the first, which works on the stem's 32 channels as they are);
            filters each channel on its own with a 3x3 or 5x5 depthwise convolution
            (groups = channels: one small filter per channel, none mixing them); and narrows the channels again
            with a 1x1 convolution with no activation after it, because a ReLU on few channels would throw
            information away. Its activations are ReLU6, min(max(x, 0), 6), whose bounded range suits the 8-bit
            arithmetic of phones. When a block keeps the image size and the channels, its input is added to its
            output: a residual block.
            """)
        // notebook: inside-lite0
        let lite0 = EfficientNetLite()
        print("the blocks, as (channels in, out, depthwise filter size):")
        for (index, block) in lite0.blocks.enumerated() { print("  _blocks.\(index): \(block.summaryDescription)") }
        // Block 2 keeps 24 channels at 56x56 (a 224x224 photo after two halvings): a residual block.
        let block = lite0.blocks[2]
        print(block.summary(inputShape: [1, 24, 56, 56]))
        let (channels, k) = (block.depthwiseConv.weight.shape[0], block.depthwiseConv.weight.shape[2])
        print(
            "its depthwise \(k)x\(k) convolution on \(channels) channels has \(block.depthwiseConv.weight.count) "
                + "weights; an ordinary one, every channel to every channel, would have \(channels * channels * k * k)")
        print("ReLU6 of [-2, 3, 9]:", relu6(Tensor([-2, 3, 9])).scalars)
        // end notebook
    }
}
