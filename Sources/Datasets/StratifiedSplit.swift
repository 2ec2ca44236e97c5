import Autograd

extension Dataset {
    /// Disjoint random parts of the dataset, one per fraction, each holding about that fraction of every class
    /// (scikit-learn's stratified split): a class of 11 fish split 80/20 gives 9 and 2, not whatever a shuffle
    /// of all the examples leaves. Every part gets at least one example of each class that has as many
    /// examples as there are parts.
    ///
    /// ```swift
    /// let parts = folder.stratifiedSplit([0.8, 0.2], seed: 0)
    /// let (train, validation) = (parts[0].withTransform(augmented), parts[1])
    /// ```
    ///
    /// - Parameters:
    ///   - fractions: the parts' shares, positive, adding up to 1.
    ///   - seed: chooses which examples go where; the same seed, the same parts.
    /// - Returns: the parts as subsets, their indices in increasing order.
    public func stratifiedSplit(_ fractions: [Double], seed: UInt64) -> [Subset<Self>] {
        stratifiedSplitIndices(fractions, seed: seed).map { Subset(self, indices: $0) }
    }

    /// The indices of `stratifiedSplit`'s parts.
    public func stratifiedSplitIndices(_ fractions: [Double], seed: UInt64) -> [[Int]] {
        check(
            !fractions.isEmpty && fractions.allSatisfy { $0 > 0 } && abs(fractions.reduce(0, +) - 1) < 1e-9,
            "stratifiedSplit: the fractions must be positive and add up to 1, got \(fractions)")
        var generator = SeededGenerator(seed: seed)
        var parts = [[Int]](repeating: [], count: fractions.count)
        let byClass = Dictionary(grouping: 0..<count, by: label(of:))
        for label in byClass.keys.sorted() {
            let members = byClass[label]!.shuffled(using: &generator)
            var start = 0
            for (part, size) in Self.shares(of: members.count, fractions).enumerated() {
                parts[part] += members[start..<(start + size)]
                start += size
            }
        }
        return parts.map { $0.sorted() }
    }

    /// `n` examples shared out by `fractions`: each part's whole share, the rest to the largest remainders; then
    /// an empty part takes one from the largest while `n` allows one for every part.
    static func shares(of n: Int, _ fractions: [Double]) -> [Int] {
        let exact = fractions.map { $0 * Double(n) }
        var sizes = exact.map { Int($0) }
        let byRemainder = exact.indices.sorted { exact[$0] - Double(sizes[$0]) > exact[$1] - Double(sizes[$1]) }
        for part in byRemainder.prefix(n - sizes.reduce(0, +)) { sizes[part] += 1 }
        while n >= sizes.count, let empty = sizes.firstIndex(of: 0) {
            sizes[sizes.indices.max { sizes[$0] < sizes[$1] }!] -= 1
            sizes[empty] += 1
        }
        return sizes
    }
}
