extension Tensor {
    /// Zeroes each value with probability `p` and scales the rest by 1 / (1 - p), so the expected value is
    /// unchanged; the same mask gates the gradient. Draws from `generator`, so a seed reproduces the mask.
    public func dropout(probability p: Float, using generator: inout SeededGenerator) -> Tensor {
        var generators = [generator]
        defer { generator = generators[0] }
        return dropout(probability: p, rows: &generators)
    }

    /// Dropout whose mask for row r (along the first axis) draws from `generators[r]`: the row's example's own
    /// generator (`Random.rowGenerators`), so a row's mask does not depend on the rows beside it. One generator
    /// draws the whole mask.
    public func dropout(probability p: Float, rows generators: inout [SeededGenerator]) -> Tensor {
        check(p >= 0 && p < 1, "dropout: probability \(p) is outside [0, 1)")
        check(
            generators.count == 1 || generators.count == shape.first,
            "dropout: \(generators.count) row generators for shape \(shape)")
        if p == 0 { return self }
        let keep = 1 / (1 - p)
        let rowSize = generators.count == 1 ? count : count / Swift.max(shape[0], 1)
        var mask = [Float](repeating: 0, count: count)
        for i in 0..<count {
            mask[i] = generators[i / Swift.max(rowSize, 1)].nextUnitFloat() < p ? 0 : keep
        }
        return (self * Tensor(shape: shape, values: mask)).renamedEntry("dropout")
    }

    /// Renames the op of the entry that produced this tensor, for the tape view: a composite that is one idea
    /// (dropout is a multiplication by a random mask) shows as that idea.
    func renamedEntry(_ op: String) -> Tensor {
        entry?.op = op
        return self
    }
}
