import Autograd

/// Layers applied one after another; their keys are their positions, as in PyTorch (`features.0.weight`).
public final class Sequential: Module {
    public private(set) var layers: [Module]

    public init(_ layers: [Module]) { self.layers = layers }

    /// `Sequential { Conv2d(1, 32, kernelSize: 3, padding: 1); ReLU(); MaxPool2d(kernelSize: 2) }`
    public convenience init(@LayerBuilder _ build: () -> [Module]) { self.init(build()) }

    public override var namedChildren: [(key: String, module: Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public override func forward(_ input: Tensor) -> Tensor {
        var x = input
        for layer in layers { x = layer(x) }
        return x
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
