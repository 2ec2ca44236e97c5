import Autograd

extension TensorDataset {
    /// `k` examples of every class, chosen at random with `seed`: the labelled budget of an experiment.
    ///
    /// - Throws: `DataError.tooFewExamples` naming the class, when one has fewer than `k`.
    public func examples(perClass k: Int, seed: UInt64) throws -> TensorDataset {
        try budget(trainingPerClass: k, validationPerClass: 0, seed: seed).training
    }

    /// A labelled budget and a validation set beside it, both drawn per class: `k` training and `v` validation
    /// examples of every class, never the same example in both. Choices (a learning rate, the epochs, an image
    /// size) are made on the validation set, so that the test set can judge the result once, at the end.
    ///
    /// The training examples are those `examples(perClass: k, seed: seed)` draws: the same seed, the same budget,
    /// with or without a validation set.
    ///
    /// - Parameters:
    ///   - k: training examples per class; nil takes every example the validation set leaves.
    ///   - v: validation examples per class.
    ///   - seed: chooses the examples; every approach of a race is given the same ones.
    /// - Throws: `DataError.tooFewExamples` naming the smallest class that cannot give `k + v` (or, with `k` nil,
    ///   `v + 1`): a budget is never cut short quietly.
    public func budget(trainingPerClass k: Int?, validationPerClass v: Int, seed: UInt64) throws
        -> (training: TensorDataset, validation: TensorDataset)
    {
        check(
            (k.map { $0 > 0 } ?? true) && v >= 0,
            "budget: \(k.map(String.init) ?? "all") training and \(v) validation examples per class")
        var generator = SeededGenerator(seed: seed)
        var (training, validation) = ([Int](), [Int]())
        for label in classNames.indices {
            let members = labels.indices.filter { labels[$0] == label }.shuffled(using: &generator)
            let needed = (k ?? 1) + v
            guard members.count >= needed else {
                throw DataError.tooFewExamples(
                    className: classNames[label], available: members.count, needed: needed,
                    asked: "\(k.map(String.init) ?? "at least 1") training"
                        + (v > 0 ? " and \(v) validation" : "") + " per class")
            }
            let trainingCount = k ?? members.count - v
            training += members.prefix(trainingCount)
            validation += members.dropFirst(trainingCount).prefix(v)
        }
        return (subset(training.sorted()), subset(validation.sorted()))
    }
}
