/// max(x, 0) for one value, as every ReLU computes it (relu, and convolutions with a fused ReLU). PyTorch's
/// rule (`x <= 0 ? 0 : x`): a NaN is kept, so that it shows up downstream instead of turning silently into 0.
@inlinable @inline(__always)
package func reluValue(_ x: Float) -> Float { x <= 0 ? 0 : x }
