// Convolution as a matrix product (im2col): each output pixel is the dot product of the filter with the
// patch of input under it. Laying every patch out as a column of a matrix turns the whole convolution into one
// sgemm, weights [O, C*kh*kw] times columns [C*kh*kw, pixels]. Backward is two more products and the
// reverse scatter (col2im). Only the input is kept for backward; the columns are rebuilt there, because for
// VGG16's first layers they are 9x larger than the input (115 MB per image).

extension ConvGeometry {
    /// How many images share one column matrix: as many as fit in 8 MB, at least one. One product over many
    /// images beats many small ones; past 8 MB the columns fall out of cache (measured on the mnist_cnn bench:
    /// 8 MB ran 7% faster than 64 MB and 25% faster than 2 MB).
    var imagesPerChunk: Int { max(1, min(batch, (8 << 20) / 4 / max(1, patchSize * outPixels))) }

    /// One row of the column matrix seen from one output row: which input row feeds it and where.
    struct PatchRow {
        /// The row of the column matrix: one (channel, kernel row, kernel column).
        let row: Int
        /// The output row.
        let outputRow: Int
        let channel: Int
        /// The input row under this kernel row, or nil where it falls in the padding.
        let inputRow: Int?
        /// The output columns whose input column lies inside the image.
        let validColumns: Range<Int>
        /// Input column = output column * stride + columnOffset.
        let columnOffset: Int
    }

    /// Calls `body` for every row of the column matrix of `channel` and every output row: the loop im2col and
    /// col2im share.
    @inline(__always)
    func forEachPatchRow(channel c: Int, _ body: (PatchRow) -> Void) {
        for ki in 0..<kernelHeight {
            let offsetY = ki * dilation.0 - padding.0
            for kj in 0..<kernelWidth {
                let row = (c * kernelHeight + ki) * kernelWidth + kj
                let offsetX = kj * dilation.1 - padding.1
                let columns = Self.validOutputs(size: width, outSize: outWidth, offset: offsetX, stride: stride.1)
                for oy in 0..<outHeight {
                    let iy = oy * stride.0 + offsetY
                    body(
                        PatchRow(
                            row: row, outputRow: oy, channel: c, inputRow: iy >= 0 && iy < height ? iy : nil,
                            validColumns: columns, columnOffset: offsetX))
                }
            }
        }
    }

    /// Writes channel `channel`'s rows of one image's column matrix: `columns[row * rowLength + pixel]`; zeros
    /// where a patch overhangs the image.
    func im2col(image: UnsafePointer<Float>, channel: Int, into columns: UnsafeMutablePointer<Float>, rowLength: Int) {
        let sx = stride.1
        forEachPatchRow(channel: channel) { patch in
            let (valid, destination) = (
                patch.validColumns, columns + patch.row * rowLength + patch.outputRow * outWidth
            )
            guard let iy = patch.inputRow, !valid.isEmpty else {
                destination.update(repeating: 0, count: outWidth)
                return
            }
            destination.update(repeating: 0, count: valid.lowerBound)
            (destination + valid.upperBound).update(repeating: 0, count: outWidth - valid.upperBound)
            let source = image + patch.channel * inPixels + iy * width + patch.columnOffset
            if sx == 1 {
                (destination + valid.lowerBound).update(from: source + valid.lowerBound, count: valid.count)
            } else {
                for ox in valid { destination[ox] = source[ox * sx] }
            }
        }
    }

    /// Adds channel `channel`'s rows of one image's column matrix back onto that channel of the image's gradient
    /// (the transpose of im2col).
    func col2im(columns: UnsafePointer<Float>, channel: Int, rowLength: Int, into image: UnsafeMutablePointer<Float>) {
        let sx = stride.1
        forEachPatchRow(channel: channel) { patch in
            guard let iy = patch.inputRow else { return }
            let valid = patch.validColumns
            let destination = image + patch.channel * inPixels + iy * width + patch.columnOffset
            let source = columns + patch.row * rowLength + patch.outputRow * outWidth
            if sx == 1 {
                let (d, s) = (destination + valid.lowerBound, source + valid.lowerBound)
                for i in 0..<valid.count { d[i] += s[i] }
            } else {
                for ox in valid { destination[ox * sx] += source[ox] }
            }
        }
    }

    /// Whether every patch is a single input value (a 1x1 kernel, stride 1, no padding): then the image itself,
    /// [C, H*W], is its column matrix, and nothing needs copying.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && stride == (1, 1) && padding == (0, 0) && outHeight == height
            && outWidth == width
    }

    /// The column matrices of a chunk of images: image i's [patchSize, outPixels] starts at `image(i)`, its rows
    /// `rowLength` apart.
    struct ChunkColumns {
        let base: UnsafeMutablePointer<Float>
        let imageStride: Int, rowLength: Int

        func image(_ i: Int) -> UnsafeMutablePointer<Float> { base + i * imageStride }
    }

    /// Calls `body(first image, image count, columns)` for each chunk of images, with the chunk's column matrices
    /// built side by side in reused scratch memory (`[patchSize, count * outPixels]`), or for a pointwise
    /// convolution read in place: all images at once, nothing copied (callers must not write to them then).
    func forEachChunk(of input: UnsafePointer<Float>, _ body: (Int, Int, ChunkColumns) -> Void) {
        guard !isPointwise else {
            let inPlace = ChunkColumns(
                base: UnsafeMutablePointer(mutating: input), imageStride: channels * inPixels, rowLength: inPixels)
            return body(0, batch, inPlace)
        }
        let chunk = imagesPerChunk
        Scratch.withBuffer(count: patchSize * chunk * outPixels) { columns in
            for first in Swift.stride(from: 0, to: batch, by: chunk) {
                let count = min(chunk, batch - first)
                // One job per (image, channel): a single big image still keeps every core busy.
                Parallel.forEach(0..<(count * channels)) { job in
                    let i = job / channels
                    im2col(
                        image: input + (first + i) * channels * inPixels, channel: job % channels,
                        into: columns + i * outPixels, rowLength: count * outPixels)
                }
                body(first, count, ChunkColumns(base: columns, imageStride: outPixels, rowLength: count * outPixels))
            }
        }
    }
}

/// Convolution by im2col: any kernel, stride, padding and dilation.
package struct Im2colConvolution: ConvolutionKernel {
    let g: ConvGeometry

    package init(_ geometry: ConvGeometry) { g = geometry }

    package func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
        output: UnsafeMutablePointer<Float>
    ) {
        let outImage = g.outChannels * g.outPixels
        g.forEachChunk(of: input) { first, count, columns in
            let destination = output + first * outImage
            guard count > 1 else {
                // One image: one product, which OpenBLAS spreads over the cores itself (the loop below keeps each
                // product on one core).
                BLAS.sgemm(
                    transposeA: false, transposeB: false, m: g.outChannels, n: g.outPixels, k: g.patchSize, weight,
                    columns.image(0), destination, ldb: columns.rowLength)
                return
            }
            // One product per image straight into its place in the output, the images shared out over the cores.
            Parallel.forEach(0..<count) { i in
                BLAS.sgemm(
                    transposeA: false, transposeB: false, m: g.outChannels, n: g.outPixels, k: g.patchSize, weight,
                    columns.image(i), destination + i * outImage, ldb: columns.rowLength, multithreaded: false)
            }
        }
        if bias != nil || relu {
            Parallel.forEach(0..<(g.batch * g.outChannels)) { plane in
                let (row, b) = (output + plane * g.outPixels, bias?[plane % g.outChannels] ?? 0)
                if relu {
                    for i in 0..<g.outPixels { row[i] = reluValue(row[i] + b) }
                } else {
                    for i in 0..<g.outPixels { row[i] += b }
                }
            }
        }
    }

    package func backward(
        outputGradient dy: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient dInput: UnsafeMutablePointer<Float>?, weightGradient dWeight: UnsafeMutablePointer<Float>?
    ) {
        let (outImage, weightCount) = (g.outChannels * g.outPixels, g.outChannels * g.patchSize)
        // col2im adds onto the input's gradient; a pointwise convolution's product writes it whole.
        if !g.isPointwise { dInput?.update(repeating: 0, count: g.batch * g.channels * g.inPixels) }
        // Images are dealt to workers, each adding its images' weight gradients into its own partial sum (a fixed
        // number of them: see Parallel.partialSums).
        Scratch.withBuffer(count: Parallel.partialSums * weightCount) { partials in
            partials.update(repeating: 0, count: Parallel.partialSums * weightCount)
            g.forEachChunk(of: input) { first, count, columns in
                func backward(image i: Int, into partial: UnsafeMutablePointer<Float>, multithreaded: Bool) {
                    let (dyImage, imageColumns, rowLength) = (
                        dy + (first + i) * outImage, columns.image(i), columns.rowLength
                    )
                    if dWeight != nil {
                        // dW += dY [O, pixels] x columnsᵀ [pixels, patch]
                        BLAS.sgemm(
                            transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: g.outPixels,
                            dyImage, imageColumns, partial, ldb: rowLength, beta: 1, multithreaded: multithreaded)
                    }
                    if let dInput, g.isPointwise {
                        // The columns are the image: dX = Wᵀ [C, O] x dY [O, pixels], written in place.
                        BLAS.sgemm(
                            transposeA: true, transposeB: false, m: g.patchSize, n: g.outPixels, k: g.outChannels,
                            weight, dyImage, dInput + (first + i) * g.channels * g.inPixels,
                            multithreaded: multithreaded)
                    } else if let dInput {
                        // dColumns = Wᵀ [patch, O] x dY [O, pixels] in the image's own columns, scattered back.
                        BLAS.sgemm(
                            transposeA: true, transposeB: false, m: g.patchSize, n: g.outPixels, k: g.outChannels,
                            weight, dyImage, imageColumns, ldc: rowLength, multithreaded: multithreaded)
                        let image = dInput + (first + i) * g.channels * g.inPixels
                        let scatter = { channel in
                            g.col2im(columns: imageColumns, channel: channel, rowLength: rowLength, into: image)
                        }
                        if multithreaded {
                            Parallel.forEach(0..<g.channels, scatter)
                        } else {
                            (0..<g.channels).forEach(scatter)
                        }
                    }
                }
                guard count > 1 else {
                    // One image: its products spread over the cores by OpenBLAS.
                    return backward(image: 0, into: partials, multithreaded: true)
                }
                Parallel.forEachDealt(count) { worker, i in
                    backward(image: i, into: partials + worker * weightCount, multithreaded: false)
                }
            }
            if let dWeight {
                Parallel.sumPartials(partials, count: weightCount)
                dWeight.update(from: partials, count: weightCount)
            }
        }
    }
}
