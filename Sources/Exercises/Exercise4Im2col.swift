import Autograd

extension Attempt {
    /// Exercise 4. For an image [C, H, W], a k x k kernel, stride 1 and zero padding p (with 2p = k - 1, so
    /// the output is H x W too), return the columns [C*k*k, H*W]: column y*W + x holds the patch under the
    /// kernel when its centre is at (y, x), row c*k*k + i*k + j holding image[c, y + i - p, x + j - p].
    public static func im2col(_ image: Tensor, kernel k: Int, padding p: Int) -> Tensor {
        let (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2])
        let pixels = image.scalars
        var columns = [Float](repeating: 0, count: channels * k * k * height * width)
        #if REFERENCE
            for c in 0..<channels {
                for i in 0..<k {
                    for j in 0..<k {
                        let row = c * k * k + i * k + j
                        for y in 0..<height {
                            for x in 0..<width {
                                let (sourceY, sourceX) = (y + i - p, x + j - p)
                                guard sourceY >= 0, sourceY < height, sourceX >= 0, sourceX < width else { continue }
                                columns[row * height * width + y * width + x] =
                                    pixels[(c * height + sourceY) * width + sourceX]
                            }
                        }
                    }
                }
            }
        #else
            // Your code here: fill `columns` from `pixels` (both row-major).
            _ = pixels
        #endif
        return Tensor(shape: [channels * k * k, height * width], values: columns)
    }
}
