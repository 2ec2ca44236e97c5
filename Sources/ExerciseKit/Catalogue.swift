import Autograd
import NN
import Zoo

/// The exercises, graded against `S`: `exercises(Exercises.Attempt.self)` for the student's work.
public func exercises<S: Solutions>(_ s: S.Type) -> [Exercise] {
    [
        Exercise(
            number: 1, title: "The pullback of an element-wise op", file: "Exercise1SoftplusPullback.swift",
            teaches: "A pullback multiplies the upstream gradient by the op's local derivative, element by element."
        ) {
            var generator = SeededGenerator(seed: 1)
            let x = Tensor.normal([2, 3], using: &generator)
            x.name = "x"
            let hint = "d/dx log(1 + e^x) = e^x / (1 + e^x) = sigmoid(x); multiply it by upstream, element by element"
            let shaped = S.softplusPullback(x: x, upstream: .ones([2, 3]))
            guard shaped.shape == x.shape else {
                return .fail("the gradient has shape \(shaped.shape); x has \(x.shape)", hint: hint)
            }
            let report = gradcheck(wrt: [x]) {
                differentiableOp("softplus", inputs: [x], value: withNoGrad { log(1 + exp(x)) }) { dy in
                    [S.softplusPullback(x: x.detached(), upstream: dy)]
                }
            }
            return verdict(report, hint: hint)
        },
        Exercise(
            number: 2, title: "Broadcasting's reduction in backward", file: "Exercise2Unbroadcast.swift",
            teaches: "What broadcasting repeats in forward, backward adds up: the gradient of a [3] bias added to "
                + "[2, 3] rows is the sum over the rows."
        ) {
            var generator = SeededGenerator(seed: 2)
            for (from, to) in [([2, 3], [3]), ([2, 3], [2, 1]), ([4, 2, 3], [2, 1]), ([2, 3], [2, 3])] {
                let gradient = Tensor.normal(from, using: &generator)
                if let problem = difference(S.unbroadcast(gradient, to: to), gradient.sum(toShape: to)) {
                    return .fail(
                        "unbroadcast(a \(from) gradient, to: \(to)): \(problem)",
                        hint: "sum over the leading axes broadcasting added, and over the axes it stretched from "
                            + "size 1 (keeping those as size 1)")
                }
            }
            return .pass("4 shapes reduced as PyTorch does")
        },
        Exercise(
            number: 3, title: "Matmul's pullback", file: "Exercise3MatmulPullback.swift",
            teaches: "dA = dC x B^T and dB = A^T x dC: each gradient has its input's shape, which fixes the order."
        ) {
            var generator = SeededGenerator(seed: 3)
            let a = Tensor.normal([2, 3], using: &generator)
            let b = Tensor.normal([3, 4], using: &generator)
            (a.name, b.name) = ("a", "b")
            let hint = "dA = upstream x B^T ([2, 4] x [4, 3]); dB = A^T x upstream ([3, 2] x [2, 4])"
            let (da, db) = S.matmulPullback(a: a, b: b, upstream: .ones([2, 4]))
            guard da.shape == a.shape, db.shape == b.shape else {
                return .fail(
                    "gradients of shapes \(da.shape) and \(db.shape) for \(a.shape) and \(b.shape)", hint: hint)
            }
            let report = gradcheck(wrt: [a, b]) {
                differentiableOp("matmul", inputs: [a, b], value: withNoGrad { matmul(a, b) }) { dy in
                    let (da, db) = S.matmulPullback(a: a.detached(), b: b.detached(), upstream: dy)
                    return [da, db]
                }
            }
            return verdict(report, hint: hint)
        },
        Exercise(
            number: 4, title: "conv2d via im2col", file: "Exercise4Im2col.swift",
            teaches: "A convolution is a matrix product once every input patch is laid out as a column."
        ) {
            var generator = SeededGenerator(seed: 4)
            let image = Tensor.normal([2, 5, 5], using: &generator)
            let weight = Tensor.normal([4, 2, 3, 3], using: &generator)
            let columns = S.im2col(image, kernel: 3, padding: 1)
            let hint =
                "row c*k*k + i*k + j, column y*W + x holds image[c, y + i - p, x + j - p], or 0 outside the image"
            guard columns.shape == [18, 25] else {
                return .fail("columns of shape \(columns.shape); expected [C*k*k, H*W] = [18, 25]", hint: hint)
            }
            let got = matmul(weight.reshaped(to: [4, 18]), columns)
            let expected = conv2d(image.unsqueezed(axis: 0), weight: weight, padding: (1, 1)).reshaped(to: [4, 25])
            if let problem = difference(got, expected) {
                return .fail("weight x columns differs from conv2d at output \(problem)", hint: hint)
            }
            return .pass("weight x columns equals conv2d (4 filters, 2 channels, 5x5, padding 1)")
        },
        Exercise(
            number: 5, title: "An SGD step with momentum", file: "Exercise5SGDMomentum.swift",
            teaches: "Momentum keeps a running sum of gradients, so steps build up speed along consistent directions."
        ) {
            let parameter = Tensor([1, -2, 0.5])
            parameter.requiresGrad = true
            let reference = SGD([parameter], learningRate: 0.1, momentum: 0.9)
            var (mine, velocity) = (parameter.scalars, [Float](repeating: 0, count: 3))
            for (step, gradient) in [[0.5, -1, 2], [0.25, 1, -1], [1, 0, 0.5]].enumerated()
                as EnumeratedSequence<[[Float]]>
            {
                parameter.grad = Tensor(gradient)
                reference.step()
                mine = S.sgdMomentumStep(
                    parameter: mine, gradient: gradient, velocity: &velocity, learningRate: 0.1, momentum: 0.9)
                if let problem = difference(mine, parameter.scalars, shape: [3], atol: 1e-6) {
                    return .fail(
                        "after step \(step + 1), \(problem)",
                        hint: "PyTorch's rule: velocity = momentum * velocity + gradient, then "
                            + "parameter -= learningRate * velocity")
                }
            }
            return .pass("3 steps equal PyTorch's SGD(lr: 0.1, momentum: 0.9)")
        },
        Exercise(
            number: 6, title: "Freezing a model, and proving it frozen", file: "Exercise6Freeze.swift",
            teaches: "requiresGrad = false keeps weights out of backward and out of the optimizer's step."
        ) {
            let model = VGG.small(classes: 5)
            S.freezeForTransfer(model)
            let before = model.stateDict().mapValues(\.scalars)
            let optimizer = Adam(model.parameters(), learningRate: 0.01)  // made with every parameter: a trap
            model.train()
            let loss = crossEntropy(model(Tensor.normal([4, 1, 28, 28])), labels: [0, 1, 2, 3])
            loss.backward()
            optimizer.step()
            let hint = "set requiresGrad = false on every parameter under features. (Module.freeze takes a key filter)"
            for (key, tensor) in model.stateDict().sorted(by: { $0.key < $1.key }) {
                let moved = tensor.scalars != before[key]!
                if key.hasPrefix("features.") && moved {
                    return .fail("\(key) changed after one training step: the features still train", hint: hint)
                }
                if key.hasPrefix("classifier.") && !moved {
                    return .fail("\(key) did not change after a training step: the classifier must train", hint: hint)
                }
            }
            return .pass("one step moved every classifier weight and left every feature weight bit-identical")
        },
        Exercise(
            number: 7, title: "A feature cache", file: "Exercise7FeatureCache.swift",
            teaches: "A frozen backbone's output is a fixed function of the image: compute it once, without a tape, "
                + "and each later epoch costs only the head."
        ) {
            // Not frozen here: the cache must hold plain values even when a layer below the head still trains.
            let model = VGG.small(classes: 5)
            model.eval()
            let images = Tensor.normal([3, 1, 28, 28])
            let hint =
                "VGG.forward is classifier(avgpool(features(x)).flattened(fromAxis: 1)); compute it in withNoGrad"
            let inputs = S.headInputs(of: model, for: images)
            guard inputs.shape == [3, 32 * 7 * 7] else {
                return .fail("the cached inputs have shape \(inputs.shape); the classifier takes [3, 1568]", hint: hint)
            }
            guard inputs.isLeaf else {
                return .fail(
                    "the cached inputs keep the tape of `\(inputs.producingOp ?? "")`: every cached example would "
                        + "hold its whole forward pass in memory", hint: hint)
            }
            let expected = withNoGrad { model(images) }
            if let problem = difference(withNoGrad { model.classifier(inputs) }, expected) {
                return .fail("the classifier on the cached inputs differs from the model at \(problem)", hint: hint)
            }
            return .pass("the classifier on the cached inputs gives the model's outputs, and no tape is kept")
        },
    ]
}

/// A gradcheck's report as a verdict: its own text, with the exercise's hint when it failed.
func verdict(_ report: GradcheckReport, hint: String) -> Verdict {
    report.passed ? .pass(report.description) : .fail(report.description, hint: hint)
}
