import Autograd

/// Merges every axis from `startAxis` on: [N, C, H, W] -> [N, C*H*W] by default.
public final class Flatten: Module {
    public let startAxis: Int

    public init(startAxis: Int = 1) { self.startAxis = startAxis }

    public override func forward(_ input: Tensor) -> Tensor { input.flattened(fromAxis: startAxis) }
}

/// Passes its input through: a placeholder where a layer is removed (a classifier head replaced, say).
public final class Identity: Module {
    public override init() {}

    public override func forward(_ input: Tensor) -> Tensor { input }
}
