import Autograd
import NN

/// Reading one tensor of a `.pth` out of its storage's bytes, as `torch._utils._rebuild_tensor_v2` describes it.
///
/// A saved tensor is a view: several tensors may share one storage at different offsets (slices of one
/// concatenated tensor), and a tensor may be non-contiguous (a transposed weight saved as it is). Element
/// (i, j, ...) is storage[offset + i * stride[0] + j * stride[1] + ...]. Everything is checked against the
/// storage before a byte is read, and the tensor's size against the caller's limits before a byte is allocated,
/// with overflow-checked arithmetic; a failure names the key: a reader never returns wrong numbers quietly.
extension TensorReference {
    /// The tensor as a contiguous Float32 `Tensor`.
    ///
    /// - Parameters:
    ///   - storageBytes: the raw bytes of the storage this tensor's persistent id names.
    ///   - key: the tensor's key, for error messages.
    ///   - budget: what the file's `PretrainedWeights.Limits` still allow; this tensor's bytes are taken from it.
    func materialize(from storageBytes: UnsafeRawBufferPointer, key: String, path: String, budget: inout SizeBudget)
        throws -> Tensor
    {
        func malformed(_ reason: String) -> DataError { .malformed(path: path, reason: "\(key): \(reason)") }
        guard let decoder = SafeTensors.decoders[storage.dtype] else {
            throw malformed("unsupported element type \(storage.dtype)")
        }
        let (bytesNeeded, tooLarge) = storage.count.multipliedReportingOverflow(by: decoder.size)
        guard storage.count >= 0, !tooLarge, bytesNeeded == storageBytes.count else {
            throw malformed(
                "its storage \(storage.key) declares \(storage.count) elements of \(storage.dtype), "
                    + "but the file holds \(storageBytes.count) bytes for it")
        }
        // The window of the storage this tensor may read: all of it, or a pre-0.4 storage view.
        let windowCount = storage.viewCount ?? storage.count
        guard storage.viewOffset >= 0, windowCount >= 0, storage.viewOffset <= storage.count - windowCount else {
            throw malformed(
                "storage view at offset \(storage.viewOffset) of \(windowCount) elements lies outside its storage "
                    + "of \(storage.count)")
        }
        guard shape.count == strides.count else {
            throw malformed("\(shape.count) sizes \(shape) but \(strides.count) strides \(strides)")
        }
        guard offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw malformed("negative storage offset (\(offset)), size \(shape) or stride \(strides)")
        }
        var elements = 1
        for size in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow else { throw malformed("size \(shape) is too large") }
            elements = product
        }
        guard elements > 0 else { return Tensor.zeros(shape) }
        // Only a stride-0 axis may repeat values: the other axes together read no more elements than the window
        // holds. The furthest element read, offset + Σ (size - 1) * stride, must lie inside it too.
        var stored = 1
        var last = offset
        for (size, stride) in zip(shape, strides) where stride != 0 {
            let (step, overflowA) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, overflowB) = last.addingReportingOverflow(step)
            guard !overflowA, !overflowB else { throw malformed("size \(shape) with stride \(strides) overflows") }
            (stored, last) = (stored * size, sum)  // stored <= elements, which did not overflow
        }
        guard stored <= windowCount else {
            throw malformed(
                "size \(shape) with stride \(strides) reads \(stored) elements from a storage of \(windowCount): "
                    + "a tensor may be larger than its storage only along axes of stride 0")
        }
        guard last < windowCount else {
            throw malformed(
                "size \(shape), stride \(strides) at offset \(offset) reads element \(last) of a storage "
                    + "of \(windowCount)")
        }
        // The memory the tensor takes is judged before it is allocated, whatever its storage holds.
        let (bytes, tooMany) = elements.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        if tooMany { throw malformed("size \(shape) is too large") }
        if let refusal = budget.claim(bytes, shape: shape) { throw malformed(refusal) }
        let tensor = Tensor.zeros(shape)
        let first = storageBytes.baseAddress! + (storage.viewOffset + offset) * decoder.size
        tensor.withUnsafeMutableBufferPointer { output in
            if strides == Shape.strides(shape) {
                for i in 0..<elements { output[i] = decoder.decode(first + i * decoder.size) }
                return
            }
            // Non-contiguous: walk the indices like an odometer, the last axis fastest.
            var index = [Int](repeating: 0, count: shape.count)
            var position = 0
            for i in 0..<elements {
                output[i] = decoder.decode(first + position * decoder.size)
                var axis = shape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    position += strides[axis]
                    if index[axis] < shape[axis] { break }
                    position -= strides[axis] * shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return tensor
    }
}
