import Autograd

/// The examples of `base` at `indices`, in that order: PyTorch's `Subset`. Nothing is copied or decoded; a batch
/// asks `base` for its examples. The parts of `stratifiedSplit` are subsets.
public struct Subset<Base: Dataset>: Dataset {
    public let base: Base
    /// Where each example of the subset is in `base`.
    public let indices: [Int]

    public init(_ base: Base, indices: [Int]) {
        check(
            indices.allSatisfy { $0 >= 0 && $0 < base.count },
            "Subset: an index is outside 0..<\(base.count), the base dataset's examples")
        (self.base, self.indices) = (base, indices)
    }

    public var count: Int { indices.count }
    public var classNames: [String] { base.classNames }
    public var isAugmented: Bool { base.isAugmented }
    public func label(of index: Int) -> Int { base.label(of: indices[index]) }
    public func source(of index: Int) -> String? { base.source(of: indices[index]) }
    public func batch(at indices: [Int]) throws -> (inputs: Tensor, labels: [Int]) {
        try base.batch(at: indices.map { self.indices[$0] })
    }
}

extension Subset where Base: TransformableDataset {
    /// The same examples read through `transform`: the validation part of a split without the training part's
    /// augmentation, or the other way round.
    public func withTransform(_ transform: ImageTransform) -> Subset {
        Subset(base.withTransform(transform), indices: indices)
    }
}

/// A dataset whose examples go through an `ImageTransform` that can be swapped for another.
public protocol TransformableDataset: Dataset {
    /// The same examples read through `transform`.
    func withTransform(_ transform: ImageTransform) -> Self
}
