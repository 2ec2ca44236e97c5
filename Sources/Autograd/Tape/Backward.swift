extension Tensor {
    /// Computes the gradient of `self` with respect to every leaf that requires grad and adds it to their `.grad`.
    ///
    /// Walks the tape from `self` in reverse recording order, with a loop rather than recursion, so a graph of any
    /// depth works. An entry whose output fed several ops receives the sum of their gradients before its own
    /// pullback runs: entries used later have higher indices and have all run by then.
    ///
    /// - Parameters:
    ///   - seed: the gradient of the final quantity with respect to `self`; omit it for a one-value tensor (a loss).
    ///   - retainGraph: keep the tape so `backward` can run again over it. By default entries let go of what
    ///     they saved as soon as they have run, so the memory of a training step returns at once.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false) {
        check(
            requiresGrad,
            "backward: this tensor does not require grad (no input had requiresGrad = true, or it was made under withNoGrad)"
        )
        if let seed {
            check(seed.shape == shape, "backward: seed shape \(seed.shape) differs from tensor shape \(shape)")
        } else {
            check(
                count == 1,
                "backward: tensor of shape \(shape) has \(count) values; pass a seed gradient, or reduce it to one value first"
            )
        }
        let seed = seed ?? Tensor.ones(shape)
        guard let root = entry else {
            accumulateGrad(seed)
            return
        }
        let order = TapeEntry.reachable(from: root)
        root.outputGrad = seed
        withNoGrad {
            for entry in order.reversed() {
                guard let outputGrad = entry.outputGrad else { continue }  // no gradient reached it
                // Every use of this output has sent its share by now, so the sum is final.
                entry.gradientKeeper?.accumulateGrad(outputGrad)
                guard let pullback = entry.pullback else {
                    fatalError(
                        "backward: the tape behind `\(entry.op)` was already freed by an earlier backward(); pass retainGraph: true to that first backward to run it twice"
                    )
                }
                let recorder = AnomalyRecorder.active
                recorder?.isInsidePullback = true
                let inputGrads = pullback(outputGrad)
                recorder?.isInsidePullback = false
                if let recorder {
                    for (k, grad) in inputGrads.enumerated() {
                        guard let grad else { continue }
                        recorder.check(
                            grad, phase: .backward, op: entry.op, inputs: entry.inputs, outputShape: entry.outputShape,
                            inputIndex: k)
                    }
                }
                entry.outputGrad = nil
                for (input, grad) in zip(entry.inputs, inputGrads) {
                    guard let grad, input.requiresGrad else { continue }
                    check(
                        grad.shape == input.shape,
                        "backward: the pullback of `\(entry.op)` returned a gradient of shape \(grad.shape) for an input of shape \(input.shape)"
                    )
                    if let producer = input.entry {
                        producer.outputGrad = producer.outputGrad.map { $0 + grad } ?? grad
                    } else {
                        input.accumulateGrad(grad)
                    }
                }
                if !retainGraph { entry.release() }
            }
        }
    }

    /// Keeps this tensor's gradient in `.grad` at the next `backward()`, though an op made it: what Grad-CAM needs
    /// from a layer's output (PyTorch's `retain_grad`). A leaf keeps its gradient anyway.
    public func retainGrad() {
        entry?.gradientKeeper = self
    }

    /// Adds `g` to this tensor's gradient, making a new tensor so that gradients shared between leaves stay apart.
    private func accumulateGrad(_ g: Tensor) {
        grad = withNoGrad { grad.map { $0 + g } ?? g }
    }
}

extension TapeEntry {
    /// Every entry reachable from `root` through entry inputs, each once, in recording order: what `backward`
    /// walks (in reverse), and what the tape view lists.
    static func reachable(from root: TapeEntry) -> [TapeEntry] {
        let stamp = TapeEntry.newVisitStamp()
        root.visitStamp = stamp
        var found = [root]
        var pending = [root]
        while let entry = pending.popLast() {
            for input in entry.inputs {
                if let producer = input.entry, producer.visitStamp != stamp {
                    producer.visitStamp = stamp
                    found.append(producer)
                    pending.append(producer)
                }
            }
        }
        return found.sorted { $0.index < $1.index }
    }
}
