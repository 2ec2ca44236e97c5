import Autograd
import Foundation
import NN

/// The fraction of rows of `logits` [N, C] whose largest score is at the label.
public func accuracy(_ logits: Tensor, labels: [Int]) -> Float {
    topKAccuracy(logits, labels: labels, k: 1)
}

/// The fraction of rows of `logits` [N, C] whose label is among the `k` largest scores.
public func topKAccuracy(_ logits: Tensor, labels: [Int], k: Int) -> Float {
    check(
        logits.rank == 2 && logits.shape[0] == labels.count,
        "topKAccuracy: logits \(logits.shape) for \(labels.count) labels")
    let classes = logits.shape[1]
    let scores = logits.scalars
    let hits = labels.enumerated().filter { row, label in
        let target = scores[row * classes + label]
        // The label is in the top k when fewer than k classes score strictly higher.
        return (0..<classes).filter { scores[row * classes + $0] > target }.count < k
    }.count
    return labels.isEmpty ? 0 : Float(hits) / Float(labels.count)
}

/// Counts of (true class, predicted class) pairs.
public struct ConfusionMatrix: CustomStringConvertible {
    public let classNames: [String]
    /// counts[truth][prediction]
    public private(set) var counts: [[Int]]

    public init(classNames: [String]) {
        self.classNames = classNames
        counts = Array(repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    }

    /// Adds one batch: the argmax of each row of `logits` against its label.
    public mutating func add(_ logits: Tensor, labels: [Int]) {
        for (prediction, label) in zip(logits.argmax(alongAxis: 1), labels) { counts[label][prediction] += 1 }
    }

    public var total: Int { counts.joined().reduce(0, +) }
    public var accuracy: Float { Float(classNames.indices.reduce(0) { $0 + counts[$1][$1] }) / Float(max(1, total)) }

    /// Per class: the fraction of its examples predicted correctly.
    public var recall: [Float] { counts.indices.map { Float(counts[$0][$0]) / Float(max(1, counts[$0].reduce(0, +))) } }

    /// The mistakes made most often, as (true class, predicted class, how many times), most frequent first
    /// (fastai's `most_confused`): which classes the model cannot tell apart.
    public func mostConfused(minimumCount: Int = 1) -> [(actual: String, predicted: String, count: Int)] {
        let mistakes = counts.indices.flatMap { t in
            counts[t].indices.filter { p in p != t && counts[t][p] >= Swift.max(1, minimumCount) }.map { p in (t, p) }
        }
        return mistakes.sorted { a, b in
            let (countA, countB) = (counts[a.0][a.1], counts[b.0][b.1])
            return countA != countB ? countA > countB : (a.0, a.1) < (b.0, b.1)
        }.map { t, p in (classNames[t], classNames[p], counts[t][p]) }
    }

    public var description: String {
        var table = TextTable(header: ["true \\ predicted"] + classNames.indices.map(String.init) + ["recall"])
        table.rows = counts.indices.map { t in
            ["\(t) \(classNames[t])"] + counts[t].map(String.init) + [String(format: "%.1f%%", recall[t] * 100)]
        }
        table.footer = [String(format: "accuracy %.2f%% over %d examples", accuracy * 100, total)]
        return table.rendered
    }
}
