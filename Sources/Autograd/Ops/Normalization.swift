import Kernels

/// Batch normalisation of `x` ([N, C] or [N, C, H, W]) over every axis but the channel axis 1.
///
/// In training the batch's own mean and (biased) variance normalise it, and the running statistics move toward
/// them: running = (1 - momentum) running + momentum batch, with the unbiased variance, as in PyTorch.
/// In evaluation the running statistics are used instead and nothing is updated.
///
/// Fused into one op with its own pullback: built from primitives it recorded ten entries over the whole
/// activation and took a fifth of a small CNN's training step. With x̂ = (x - mean) / sqrt(var + ε) and
/// y = x̂ w + b, the pullback is, per channel over its M values:
///
///     db = Σ dy      dw = Σ dy x̂
///     training:   dx = w / sqrt(var + ε) · (dy - db / M - x̂ dw / M)      (mean and var depend on x)
///     evaluation: dx = w / sqrt(var + ε) · dy                                (the statistics are constants)
///
/// Every statistic is a sum per channel (Σx, Σ(x - mean)², Σdy, Σdy x̂), so a batch split across processes
/// needs only those sums added up (`across`) to normalise, and to differentiate, as the whole batch would.
///
/// - Parameters:
///   - x: [N, C] or [N, C, H, W].
///   - runningMean: a [C] buffer, updated in place in training.
///   - runningVariance: a [C] buffer, updated in place in training.
///   - weight: an optional [C] scale applied after normalising.
///   - bias: an optional [C] shift applied after scaling.
///   - training: use the batch's statistics and update the running ones (true), or use the running ones (false).
///   - batchesTracked: a 0-d buffer counting the batches seen in training (PyTorch's `num_batches_tracked`), so
///     that everything BatchNorm remembers is updated here, in one place.
///   - momentum: how far the running statistics move toward each batch's.
///   - epsilon: added to the variance before the square root.
///   - across: completes a per-channel sum over every process that holds a part of the batch (a synchronised
///     batch norm, in Distributed): the batch's statistics in training, and the two sums of the pullback. Nil
///     (the default) in one process, where the batch is all here.
public func batchNorm(
    _ x: Tensor, runningMean: Tensor, runningVariance: Tensor, weight: Tensor?, bias: Tensor?, training: Bool,
    batchesTracked: Tensor? = nil, momentum: Float = 0.1, epsilon: Float = 1e-5,
    across: ((inout [Double]) -> Void)? = nil
) -> Tensor {
    check(x.rank == 2 || x.rank == 4, "batchNorm: input must be [N, C] or [N, C, H, W], got \(x.shape)")
    let (batch, channels) = (x.shape[0], x.shape[1])
    for (name, t) in [
        ("runningMean", runningMean), ("runningVariance", runningVariance), ("weight", weight), ("bias", bias),
    ] {
        if let t { check(t.shape == [channels], "batchNorm: \(name) \(t.shape) must be [\(channels)]") }
    }
    if let batchesTracked {
        check(batchesTracked.count == 1, "batchNorm: batchesTracked \(batchesTracked.shape) must hold one value")
        if training { batchesTracked.base[0] += 1 }
    }
    let pixels = x.rank == 4 ? x.shape[2] * x.shape[3] : 1
    // How many values each channel's statistics are over: this batch's, or the whole batch's with `across`.
    var perChannel = batch * pixels
    // Per channel: the mean and 1 / sqrt(var + ε), from the batch or the running statistics.
    var (means, inverseDeviations) = ([Float](repeating: 0, count: channels), [Float](repeating: 0, count: channels))
    if training {
        let xBase = x.base
        // Channel c's values: `pixels` in a row, one row per example, `channels * pixels` apart.
        func sum(_ c: Int) -> Double {
            var total: Double = 0
            for n in 0..<batch {
                total += Double(sumRow(xBase + (n * channels + c) * pixels, count: pixels, stride: 1))
            }
            return total
        }
        func squares(_ c: Int, around mean: Float) -> Double {
            var total: Double = 0
            for n in 0..<batch {
                let row = xBase + (n * channels + c) * pixels
                var s: Float = 0
                for i in 0..<pixels { s += (row[i] - mean) * (row[i] - mean) }
                total += Double(s)
            }
            return total
        }
        var squareSums = [Double](repeating: 0, count: channels)
        if let across {
            // Σx gives the mean, then Σ(x - mean)² the variance, each completed over the processes before the
            // next is taken; the count of values rides along with the first.
            var sums = forEachChannel(channels, sum)
            sums.append(Double(perChannel))
            across(&sums)
            perChannel = Int(sums.removeLast())
            checkTrainable(x, valuesPerChannel: perChannel)
            for c in 0..<channels { means[c] = Float(sums[c] / Double(perChannel)) }
            squareSums = forEachChannel(channels) { [means] c in squares(c, around: means[c]) }
            across(&squareSums)
        } else {
            checkTrainable(x, valuesPerChannel: perChannel)
            // Both sums of a channel one after the other, while its values are still in cache.
            means.withUnsafeMutableBufferPointer { means in
                squareSums.withUnsafeMutableBufferPointer { squareSums in
                    Parallel.forEach(0..<channels) { c in
                        means[c] = Float(sum(c) / Double(perChannel))
                        squareSums[c] = squares(c, around: means[c])
                    }
                }
            }
        }
        for c in 0..<channels {
            let variance = Float(squareSums[c] / Double(perChannel))
            let unbiased = variance * Float(perChannel) / Float(perChannel - 1)
            runningMean.base[c] = (1 - momentum) * runningMean.base[c] + momentum * means[c]
            runningVariance.base[c] = (1 - momentum) * runningVariance.base[c] + momentum * unbiased
            inverseDeviations[c] = 1 / (variance + epsilon).squareRoot()
        }
    } else {
        for c in 0..<channels {
            means[c] = runningMean.base[c]
            inverseDeviations[c] = 1 / (runningVariance.base[c] + epsilon).squareRoot()
        }
    }

    // x̂, kept for the pullback where it needs it: for dw, and for dx in training (through the statistics). An
    // inference pass, or a frozen layer in evaluation, skips it: a whole activation's memory and writes less.
    let keepsNormalized = GradMode.isEnabled && ((weight?.requiresGrad ?? false) || (training && x.requiresGrad))
    let normalized = keepsNormalized ? Tensor(uninitializedShape: x.shape) : nil
    let output = Tensor(uninitializedShape: x.shape)
    let (xBase, xHat, y) = (x.base, normalized?.base, output.base)
    // Normalise row by row in memory order: parallel over channels, a 1x1 feature map (the end of a network)
    // would read one value per cache line.
    means.withUnsafeBufferPointer { means in
        inverseDeviations.withUnsafeBufferPointer { inverse in
            Parallel.forEachBlock(of: batch * channels) { rows in
                for row in rows {
                    let (c, offset) = (row % channels, row * pixels)
                    let (mean, invStd) = (means[c], inverse[c])
                    let (scale, shift) = (weight?.base[c] ?? 1, bias?.base[c] ?? 0)
                    if let xHat {
                        for i in offset..<(offset + pixels) {
                            let h = (xBase[i] - mean) * invStd
                            xHat[i] = h
                            y[i] = h * scale + shift
                        }
                    } else {
                        for i in offset..<(offset + pixels) { y[i] = (xBase[i] - mean) * invStd * scale + shift }
                    }
                }
            }
        }
    }
    let inputs = [x] + [weight, bias].compactMap { $0 }
    return output.recorded("batch_norm", inputs: inputs, saving: normalized.map { [$0] } ?? []) {
        [perChannel] dy in
        // Per channel: Σdy and Σdy x̂ (when x̂ was kept), then dx from them.
        func sums(_ c: Int) -> (dy: Double, dyXHat: Double) {
            var (sumDy, sumDyXHat): (Double, Double) = (0, 0)
            for n in 0..<batch {
                let offset = (n * channels + c) * pixels
                var (a, b): (Float, Float) = (0, 0)
                if let normalized {
                    for i in 0..<pixels {
                        a += dy.base[offset + i]
                        b += dy.base[offset + i] * normalized.base[offset + i]
                    }
                } else {
                    for i in 0..<pixels { a += dy.base[offset + i] }
                }
                (sumDy, sumDyXHat) = (sumDy + Double(a), sumDyXHat + Double(b))
            }
            return (sumDy, sumDyXHat)
        }
        let dx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
        func inputGradient(_ c: Int, sumDy: Double, sumDyXHat: Double) {
            guard let dx else { return }
            let k = (weight?.base[c] ?? 1) * inverseDeviations[c]
            let (meanDy, meanDyXHat) = (Float(sumDy / Double(perChannel)), Float(sumDyXHat / Double(perChannel)))
            for n in 0..<batch {
                let (offset, d, g) = ((n * channels + c) * pixels, dx.base, dy.base)
                if training, let h = normalized?.base {
                    for i in offset..<(offset + pixels) { d[i] = k * (g[i] - meanDy - h[i] * meanDyXHat) }
                } else {
                    // In evaluation the statistics are constants: only the first term remains.
                    for i in offset..<(offset + pixels) { d[i] = k * g[i] }
                }
            }
        }
        // This process's part of the batch gives the weight's and bias's gradients (Distributed adds them up
        // with every other gradient); the whole batch's sums give x's, as they gave its statistics.
        let (dWeight, dBias) = (Tensor(uninitializedShape: [channels]), Tensor(uninitializedShape: [channels]))
        if let across {
            var both = forEachChannel(channels) { sums($0).dy } + forEachChannel(channels) { sums($0).dyXHat }
            for c in 0..<channels { (dBias.base[c], dWeight.base[c]) = (Float(both[c]), Float(both[channels + c])) }
            if dx != nil {
                across(&both)
                Parallel.forEach(0..<channels) { inputGradient($0, sumDy: both[$0], sumDyXHat: both[channels + $0]) }
            }
        } else {
            // A channel's sums and its dx one after the other, while its values are still in cache.
            Parallel.forEach(0..<channels) { c in
                let (sumDy, sumDyXHat) = sums(c)
                (dBias.base[c], dWeight.base[c]) = (Float(sumDy), Float(sumDyXHat))
                inputGradient(c, sumDy: sumDy, sumDyXHat: sumDyXHat)
            }
        }
        // One gradient per input, in order; dw needs x̂, kept exactly when the weight trains.
        var gradients: [Tensor?] = [dx]
        if weight != nil { gradients.append(normalized == nil ? nil : dWeight) }
        if bias != nil { gradients.append(dBias) }
        return gradients
    }
}

/// `value(c)` of every channel c, channel by channel in parallel.
private func forEachChannel(_ channels: Int, _ value: (Int) -> Double) -> [Double] {
    var values = [Double](repeating: 0, count: channels)
    values.withUnsafeMutableBufferPointer { values in Parallel.forEach(0..<channels) { values[$0] = value($0) } }
    return values
}

/// Stops with a clear message when batch norm would train on one value per channel, whose variance is 0.
private func checkTrainable(_ x: Tensor, valuesPerChannel: Int) {
    check(
        valuesPerChannel > 1,
        """
        batchNorm: training needs more than one value per channel, got input \(x.shape) (one example of a 1x1 \
        map, or a batch of one). To predict, call eval() on the model first: a model starts in training mode, as \
        in PyTorch, and in evaluation mode batch norm uses its running statistics.
        """)
}
