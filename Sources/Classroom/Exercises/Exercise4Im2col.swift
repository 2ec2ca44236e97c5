import Autograd
import ExerciseKit

/// Exercise 4. A convolution as one matrix product: lay every patch of the image out as a column.
/// Its notebook: notebooks-md/03-cnn-from-scratch.md.
public enum Exercise4Im2col: Exercise {
    public static let title = "conv2d via im2col"
    public static let teaches = "A convolution is a matrix product once every input patch is laid out as a column."
    public static let nudges = [
        "one column per output position, one row per (channel, kernel row, kernel column) of the patch it reads",
        "padding makes some taps read outside the image: those entries are zero",
    ]

    /// For an image [C, H, W], a k x k kernel, stride 1 and zero padding p (with 2p = k - 1, so the output is
    /// H x W too), return the columns [C*k*k, H*W]: column y*W + x holds the patch under the kernel when its
    /// centre is at (y, x), row c*k*k + i*k + j holding image[c, y + i - p, x + j - p].
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

    // MARK: The check

    public static func check() -> Verdict {
        var generator = SeededGenerator(seed: 4)
        let image = Tensor.normal([2, 5, 5], using: &generator)
        let weight = Tensor.normal([4, 2, 3, 3], using: &generator)
        let columns = im2col(image, kernel: 3, padding: 1)
        let hint = "row c*k*k + i*k + j, column y*W + x holds image[c, y + i - p, x + j - p], or 0 outside the image"
        guard columns.shape == [18, 25] else {
            return .fail("columns of shape \(columns.shape); expected [C*k*k, H*W] = [18, 25]", hint: hint)
        }
        let got = matmul(weight.reshaped(to: [4, 18]), columns)
        let expected = conv2d(image.unsqueezed(axis: 0), weight: weight, padding: 1).reshaped(to: [4, 25])
        if let problem = difference(got, expected) {
            return .fail("weight x columns differs from conv2d at output \(problem)", hint: hint)
        }
        return .pass("weight x columns equals conv2d (4 filters, 2 channels, 5x5, padding 1)")
    }
}
