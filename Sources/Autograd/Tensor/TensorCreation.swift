/// Ways to make a tensor. All of them make leaves: `requiresGrad` is false until you set it.
extension Tensor {
    /// A tensor with the given values in row-major order.
    ///
    /// - Parameters:
    ///   - shape: the size of each axis; the product must equal `values.count`.
    ///   - values: the values, row-major.
    public convenience init(shape: [Int], values: [Float]) {
        check(
            shape.reduce(1, *) == values.count,
            "Tensor(shape:values:): shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A 1-D tensor: `Tensor([1, 2, 3])`.
    public convenience init(_ values: [Float]) {
        self.init(shape: [values.count], values: values)
    }

    /// A 2-D tensor from rows of equal length: `Tensor([[1, 2], [3, 4]])`.
    public convenience init(_ rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        check(rows.allSatisfy { $0.count == width }, "Tensor(rows): rows have different lengths")
        self.init(shape: [rows.count, width], values: rows.flatMap { $0 })
    }

    /// A scalar (rank-0) tensor.
    public convenience init(scalar: Float) {
        self.init(shape: [], values: [scalar])
    }

    /// A tensor whose value at flat index `i` is `value(i)`.
    public convenience init(shape: [Int], _ value: (Int) -> Float) {
        self.init(uninitializedShape: shape)
        for i in 0..<count { base[i] = value(i) }
    }

    /// Every value equal to `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.base.update(repeating: value, count: t.count)
        return t
    }

    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }
    public static func zeros(like other: Tensor) -> Tensor { full(other.shape, 0) }
    public static func ones(like other: Tensor) -> Tensor { full(other.shape, 1) }

    /// start, start + step, ... up to but excluding `end`, as a 1-D tensor (like `torch.arange`).
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        check(step != 0, "arange: step must not be 0")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [n]) { start + Float($0) * step }
    }

    /// 0, 1, ... up to but excluding `end`.
    public static func arange(_ end: Float) -> Tensor { arange(0, end) }

    /// The n x n identity matrix.
    public static func eye(_ n: Int) -> Tensor {
        Tensor(shape: [n, n]) { $0 / n == $0 % n ? 1 : 0 }
    }

    /// Values drawn uniformly from [low, high) with `generator`, so a seed reproduces them.
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.base[i] = low + (high - low) * generator.nextUnitFloat() }
        return t
    }

    /// Values drawn from a normal distribution with `generator`, so a seed reproduces them.
    public static func normal(
        _ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.base[i] = mean + std * generator.nextNormal() }
        return t
    }

    /// Uniform values from the shared generator (`Random.seed` makes them repeat).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        Random.withGenerator { uniform(shape, low: low, high: high, using: &$0) }
    }

    /// Normal values from the shared generator (`Random.seed` makes them repeat).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1) -> Tensor {
        Random.withGenerator { normal(shape, mean: mean, std: std, using: &$0) }
    }

    /// A copy of the values in a new leaf.
    public func copy() -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.base.update(from: base, count: count)
        return t
    }
}
