import Autograd

/// Layers applied one after another; their keys are their positions, as in PyTorch (`features.0.weight`).
public final class Sequential: Module {
    public private(set) var layers: [Module]

    /// Whether each Conv2d that a ReLU follows runs with it as one op, `conv2d(..., activation: .relu)`: the same
    /// values and gradients, with one pass over the output and one tensor fewer. It pays on big activations:
    /// VGG16's forward pass at batch 1 ran 4% and 10% faster in two runs, and the peak of tensor memory in its
    /// training step at batch 4 was 181 MB (9%) lower (`bench vgg_fusion`, OpenBLAS's Haswell kernels). Nothing
    /// else changes: the two layers stay in the tree, and each reports its own output to `summary` and
    /// `forward(_:keeping:)`; when the convolution's output is asked for, the pair runs apart. Turn it off to watch
    /// every layer run by itself.
    public var fusesActivations = true

    public init(_ layers: [Module]) { self.layers = layers }

    /// `Sequential { Conv2d(1, 32, kernelSize: 3, padding: 1); ReLU(); MaxPool2d(kernelSize: 2) }`
    public convenience init(@LayerBuilder _ build: () -> [Module]) { self.init(build()) }

    public override var namedChildren: [(key: String, module: Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public override func forward(_ input: Tensor) -> Tensor {
        var x = input
        var i = 0
        while i < layers.count {
            if let (conv, relu) = fusablePair(at: i) {
                x = relu.running { conv.running { conv.convolution(x, activation: .relu) } }
                i += 2
            } else {
                x = layers[i](x)
                i += 1
            }
        }
        return x
    }

    /// The Conv2d at `i` and the ReLU after it, when they may run as one op (see `fusesActivations`).
    private func fusablePair(at i: Int) -> (Conv2d, ReLU)? {
        guard fusesActivations, i + 1 < layers.count, let conv = layers[i] as? Conv2d, conv.activation == .identity,
            let relu = layers[i + 1] as? ReLU, ActivationKeeper.current?.wants(conv) != true
        else { return nil }
        return (conv, relu)
    }

    public subscript(_ index: Int) -> Module {
        get { layers[index] }
        set { layers[index] = newValue }
    }

    public var count: Int { layers.count }
}

/// Builds a `Sequential`'s layer list from a block, loops and conditions included.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: Module) -> [Module] { [layer] }
    public static func buildExpression(_ layers: [Module]) -> [Module] { layers }
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    public static func buildEither(first part: [Module]) -> [Module] { part }
    public static func buildEither(second part: [Module]) -> [Module] { part }
}
