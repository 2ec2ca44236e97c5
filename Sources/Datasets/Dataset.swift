import Autograd

/// A labelled collection of examples that a `DataLoader` can batch.
public protocol Dataset {
    var count: Int { get }
    /// The names of the classes, indexed by label.
    var classNames: [String] { get }
    /// The examples at `indices`, stacked along a new first axis, with their labels. Throws what the data can
    /// cause (an unreadable file, images of different sizes), naming the example.
    func batch(at indices: [Int]) throws -> (inputs: Tensor, labels: [Int])
    /// The label of example `index`, without reading its input where the dataset can (splits need every label).
    func label(of index: Int) -> Int
    /// Where example `index` came from, for a person to find it (`pets/cat/001.jpg`); nil for data made in memory.
    func source(of index: Int) -> String?
    /// Whether examples come out different each time they are read (random augmentation).
    var isAugmented: Bool { get }
}

extension Dataset {
    /// Reads the example to find its label; a dataset whose examples can fail to read gives labels without
    /// reading them (as `ImageFolder` does).
    public func label(of index: Int) -> Int {
        do { return try batch(at: [index]).labels[0] } catch {
            fail("\(type(of: self)).label(of: \(index)) had to read the example, and could not: \(error)")
        }
    }
    public func source(of index: Int) -> String? { nil }
    public var isAugmented: Bool { false }

    /// How many examples each class has, in label order.
    public var countsPerClass: [Int] {
        (0..<count).reduce(into: [Int](repeating: 0, count: classNames.count)) { $0[label(of: $1)] += 1 }
    }
}

/// A dataset held in memory: one tensor of inputs [N, ...] and N labels.
public struct TensorDataset: Dataset {
    public let inputs: Tensor
    public let labels: [Int]
    public let classNames: [String]
    /// Where each example came from (`pets/cat/001.jpg`), for images decoded from files; kept through subsets.
    public let sources: [String]?

    public init(inputs: Tensor, labels: [Int], classNames: [String], sources: [String]? = nil) {
        check(inputs.shape.first == labels.count, "TensorDataset: \(labels.count) labels for inputs \(inputs.shape)")
        check(
            labels.allSatisfy { $0 >= 0 && $0 < classNames.count },
            "TensorDataset: a label is outside 0..<\(classNames.count)")
        if let sources {
            check(sources.count == labels.count, "TensorDataset: \(sources.count) sources for \(labels.count) labels")
        }
        (self.inputs, self.labels, self.classNames, self.sources) = (inputs, labels, classNames, sources)
    }

    public var count: Int { labels.count }

    public func source(of index: Int) -> String? { sources?[index] }

    public func label(of index: Int) -> Int { labels[index] }

    public func batch(at indices: [Int]) -> (inputs: Tensor, labels: [Int]) {
        (withNoGrad { inputs.selecting(indices, alongAxis: 0) }, indices.map { labels[$0] })
    }

    /// The examples at `indices`, as a dataset of their own.
    public func subset(_ indices: [Int]) -> TensorDataset {
        let (x, y) = batch(at: indices)
        return TensorDataset(
            inputs: x, labels: y, classNames: classNames, sources: sources.map { all in indices.map { all[$0] } })
    }

    /// Only the examples of `classes`, relabelled 0..<classes.count in that order (classes 5-9 become 0-4).
    public func keeping(classes: [Int]) -> TensorDataset {
        let newLabel = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let kept = labels.indices.filter { newLabel[labels[$0]] != nil }
        let (x, _) = batch(at: kept)
        return TensorDataset(
            inputs: x, labels: kept.map { newLabel[labels[$0]]! }, classNames: classes.map { classNames[$0] },
            sources: sources.map { all in kept.map { all[$0] } })
    }

    /// Two disjoint random parts: the first with `firstCount` examples, the second with the rest.
    public func randomSplit(firstCount: Int, seed: UInt64) -> (TensorDataset, TensorDataset) {
        check(firstCount >= 0 && firstCount <= count, "randomSplit: \(firstCount) is outside 0...\(count)")
        var generator = SeededGenerator(seed: seed)
        let order = Array(0..<count).shuffled(using: &generator)
        return (subset(order[..<firstCount].sorted()), subset(order[firstCount...].sorted()))
    }
}
