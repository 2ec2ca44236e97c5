import ArgumentParser
import Autograd
import Training
import TutorialSupport

/// Tutorial step 2: one neuron's gradients worked out by hand with the chain rule, then by the tape.
@main
struct GradientsByHand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "02-gradients-by-hand",
        abstract: "Step 2: a neuron's backward pass written out by hand, checked against the tape and gradcheck.")

    @Option(help: "Seed for the neuron's weights.") var seed: UInt64 = 0
    @Option(help: "Where to write the run's numbers.") var output = "runs/02-gradients-by-hand"

    func run() throws {
        explain(
            "1. A neuron",
            """
            z = w . x + b, y = sigmoid(z), loss = (y - target)^2. Three inputs, three weights, one bias.
            """)
        // notebook: forward
        Random.seed(seed)  // random weights come from the shared generator, seeded: the same w on every run
        let x = Tensor([0.5, -1.5, 2.0])
        let target: Float = 1
        let w = Tensor.normal([3], std: 0.5)
        let b = Tensor([0.1])
        w.requiresGrad = true
        b.requiresGrad = true
        let z = (w * x).sum() + b.sum()
        let y = sigmoid(z)
        let loss = (y - target) * (y - target)
        print("w =", w.scalars, " z =", z.item, " y =", y.item, " loss =", loss.item)
        // end notebook
        golden("loss", Double(loss.item))

        explain(
            "2. Backward by hand",
            """
            The chain rule, one factor per step of the forward pass, from the loss back to each weight:
              dloss/dy = 2 (y - target)      dy/dz = y (1 - y)      dz/dw_i = x_i      dz/db = 1
            """)
        // notebook: by-hand
        let dLossDy = 2 * (y.item - target)
        let dyDz = y.item * (1 - y.item)
        let handW = x.scalars.map { dLossDy * dyDz * $0 }
        let handB = dLossDy * dyDz
        print("by hand: dloss/dw =", handW, " dloss/db =", handB)
        // end notebook

        explain(
            "3. Backward by the tape",
            """
            The forward pass recorded each op with its pullback. backward() runs them in reverse, multiplying
            the same factors, and leaves the results in .grad.
            """)
        // notebook: by-tape
        print(Tape(of: loss))
        loss.backward()
        print("by tape: dloss/dw =", w.grad!.scalars, " dloss/db =", b.grad!.scalars)
        let largestDifference = zip(handW + [handB], w.grad!.scalars + b.grad!.scalars).map { abs($0 - $1) }.max()!
        print("largest difference between hand and tape:", largestDifference)
        // end notebook
        golden("dloss/dw[0]", Double(w.grad!.scalars[0]))

        explain(
            "4. Gradcheck",
            """
            A third opinion that needs no calculus: nudge each weight by a small epsilon both ways and watch
            the loss, (loss(w + eps) - loss(w - eps)) / (2 eps). It must agree with the tape.
            """)
        // notebook: gradcheck
        let report = gradcheck(wrt: [w, b]) {
            let y = sigmoid((w * x).sum() + b.sum())
            return (y - target) * (y - target)
        }
        print(report)
        // end notebook
        try writeNumbers(to: RunFolder(output), measured: ["largest hand-tape difference": Double(largestDifference)])
        if !report.passed { throw ExitCode.failure }
    }
}
