extension Tensor {
    /// Zeroes each value with probability `p` and scales the rest by 1 / (1 - p), so the expected value is
    /// unchanged; the same mask gates the gradient. Draws from `generator`, so a seed reproduces the mask.
    public func dropout(probability p: Float, using generator: inout SeededGenerator) -> Tensor {
        check(p >= 0 && p < 1, "dropout: probability \(p) is outside [0, 1)")
        if p == 0 { return self }
        let keep = 1 / (1 - p)
        let mask = Tensor(shape: shape) { _ in generator.nextUnitFloat() < p ? 0 : keep }
        return (self * mask).renamedEntry("dropout")
    }

    /// Renames the op of the entry that produced this tensor, for the tape view: a composite that is one idea
    /// (dropout is a multiplication by a random mask) shows as that idea.
    func renamedEntry(_ op: String) -> Tensor {
        entry?.op = op
        return self
    }
}
