import Autograd

/// The examples of `base`, each read through `transform`: torchvision's `transform=` for data already in memory,
/// most often to augment it (a random flip or crop gives a new image every time an example is read). In a data
/// loader each example draws from its own generator, as `ImageFolder`'s do, so a run repeats at any batch size.
public struct TransformedDataset<Base: Dataset>: TransformableDataset {
    public let base: Base
    /// Applied to each example, [C, H, W], when a batch is read.
    public let transform: ImageTransform

    public init(_ base: Base, transform: ImageTransform) { (self.base, self.transform) = (base, transform) }

    public var count: Int { base.count }
    public var classNames: [String] { base.classNames }
    /// Whether a read of an example can differ from the last: `transform` draws at random, or `base` does.
    public var isAugmented: Bool { base.isAugmented || transform.isRandom }
    public func label(of index: Int) -> Int { base.label(of: index) }
    public func source(of index: Int) -> String? { base.source(of: index) }

    /// Throws what `base` throws, and `DataError.differentSizes` when the transform leaves examples of different
    /// sizes, which cannot be stacked into one batch.
    public func batch(at indices: [Int]) throws -> (inputs: Tensor, labels: [Int]) {
        let (inputs, labels) = try base.batch(at: indices)
        let shape = Array(inputs.shape.dropFirst())
        let images = withNoGrad {
            indices.enumerated().map { position, index in
                let image = inputs.selecting([position], alongAxis: 0).reshaped(to: shape)
                return Random.forExample(index) { transform.apply(image) }
            }
        }
        if let other = images.firstIndex(where: { $0.shape != images[0].shape }) {
            let name = { (position: Int) in base.source(of: indices[position]) ?? "example \(indices[position])" }
            throw DataError.differentSizes(
                first: name(0), firstShape: images[0].shape, other: name(other), otherShape: images[other].shape,
                hint: "end the transform with a fixed size, e.g. .randomCrop(height: 28, width: 28, padding: 2)")
        }
        return (withNoGrad { Tensor.stack(images) }, labels)
    }

    /// The same examples of `base` read through `transform` instead: the validation images without the training
    /// images' augmentation.
    public func withTransform(_ transform: ImageTransform) -> TransformedDataset {
        TransformedDataset(base, transform: transform)
    }
}

extension Dataset {
    /// This dataset's examples, each read through `transform` (to augment them, with random steps).
    public func transformed(by transform: ImageTransform) -> TransformedDataset<Self> {
        TransformedDataset(self, transform: transform)
    }
}
