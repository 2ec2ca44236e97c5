import Autograd

/// Merges every axis from `startAxis` on: [N, C, H, W] -> [N, C*H*W] by default.
public final class Flatten: Module {
    public let startAxis: Int

    public init(startAxis: Int = 1) { self.startAxis = startAxis }

    public override func forward(_ input: Tensor) -> Tensor { input.flattened(fromAxis: startAxis) }
}

/// Passes its input through: a placeholder where a layer is removed (a classifier head replaced, say) or
/// fused into the layer before (`fuseActivations()`).
public final class Identity: Module {
    /// What the placeholder stands for, shown by `summary`: "ReLU fused into features.0".
    public let note: String?

    public init(standingFor note: String? = nil) { self.note = note }

    public override func forward(_ input: Tensor) -> Tensor { input }

    public override var summaryDescription: String { note.map { "Identity (\($0))" } ?? "Identity" }
}
