extension PretrainedWeights {
    /// How much memory the tensors of one `.pth` may take once read as Float32.
    ///
    /// A `.pth` describes each tensor by a size and strides over a storage, and a stride of 0 is legal
    /// (`torch.save` of an `expand()`ed tensor keeps one value for a whole axis). So a few bytes of storage can
    /// describe terabytes of tensor, and the storage's size cannot bound what reading allocates: these limits do.
    /// Every refusal names the tensor's key, its size and the limit it passed. The standard limits hold every
    /// model torchvision publishes (VGG16's largest tensor is 411 MB, its file 553 MB).
    public struct Limits: Sendable, Equatable {
        /// The most bytes one tensor may take.
        public var bytesPerTensor: Int
        /// The most bytes all the file's tensors together may take.
        public var bytesPerFile: Int

        public init(bytesPerTensor: Int, bytesPerFile: Int) {
            (self.bytesPerTensor, self.bytesPerFile) = (bytesPerTensor, bytesPerFile)
        }

        /// 1 GiB per tensor, 4 GiB per file.
        public static let standard = Limits(bytesPerTensor: 1 << 30, bytesPerFile: 4 << 30)
    }
}

/// What is left of a file's `Limits` while its tensors are read one after another.
struct SizeBudget {
    let limits: PretrainedWeights.Limits
    private(set) var used = 0

    init(_ limits: PretrainedWeights.Limits) { self.limits = limits }

    /// Takes `bytes` for one tensor, or says which limit it passes.
    ///
    /// - Returns: nil when the tensor fits, else the reason it does not (the caller adds the key and path).
    mutating func claim(_ bytes: Int, shape: [Int]) -> String? {
        if bytes > limits.bytesPerTensor {
            return "size \(shape) takes \(bytes) bytes as Float32, over the limit of \(limits.bytesPerTensor) "
                + "bytes per tensor (PretrainedWeights.Limits.bytesPerTensor)"
        }
        let (total, overflow) = used.addingReportingOverflow(bytes)
        if overflow || total > limits.bytesPerFile {
            return "size \(shape) takes \(bytes) bytes as Float32, after \(used) bytes of tensors before it: "
                + "over the limit of \(limits.bytesPerFile) bytes per file (PretrainedWeights.Limits.bytesPerFile)"
        }
        used = total
        return nil
    }
}
