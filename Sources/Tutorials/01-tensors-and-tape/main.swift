import ArgumentParser
import Autograd
import Training
import TutorialSupport

/// Tutorial step 1: what a tensor is, how shapes broadcast, what the tape records, and how backward uses it.
@main
struct TensorsAndTape: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "01-tensors-and-tape",
        abstract: "Step 1: tensors, broadcasting, the tape, backward() and gradcheck, explained as it runs.")

    @Option(help: "Seed for the random weights, so every run prints the same numbers.")
    var seed: UInt64 = 1
    @Option(help: "Where to write the run's numbers.") var output = "runs/01-tensors-and-tape"

    func run() throws {
        explain(
            "1. Tensors",
            """
            A tensor is a grid of Float32 numbers with a shape. [2, 3] means 2 rows of 3 values.
            Random tensors take an explicit, seeded generator: run this again and you get the same numbers.
            """)
        // notebook: tensors
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        x.name = "x"
        print(x)
        var generator = SeededGenerator(seed: seed)
        print(Tensor.normal([2, 3], using: &generator))
        // end notebook

        explain(
            "2. Broadcasting",
            """
            Shapes are lined up from the right; a missing axis or an axis of size 1 is repeated to fit.
            So x [2, 3] + offsets [3] adds the offsets to every row, without copying them by hand.
            """)
        // notebook: broadcasting
        let offsets = Tensor([10, 20, 30])
        print(x + offsets)
        // end notebook

        explain(
            "3. A small model, recorded on the tape",
            """
            One neuron: y = sigmoid(sum(x * w) + b) for each row of x, and a squared-error loss.
            w and b have requiresGrad = true, so every op that uses them records an entry on the tape:
            the op's name, its inputs, and a pullback, the rule that turns the gradient of its output into
            gradients of its inputs.
            """)
        // notebook: model
        let w = Tensor.normal([3], std: 0.5, using: &generator)
        w.name = "w"
        w.requiresGrad = true
        let b = Tensor(scalar: 0.1)
        b.name = "b"
        b.requiresGrad = true
        let target = Tensor([0, 1])
        let y = sigmoid((x * w).sum(alongAxes: [1]) + b)
        let loss = pow(y - target, 2).mean()
        loss.name = "loss"
        print(loss)
        // end notebook
        golden("loss", Double(loss.item))

        explain(
            "4. The tape as a table",
            """
            Entries in the order they were recorded. "kept for backward" is memory the pullbacks hold on to
            until backward runs: the price of reverse-mode differentiation, paid for every training step.
            """)
        // notebook: tape-table
        print(Tape(of: loss))
        // end notebook

        explain(
            "5. The same tape as a picture",
            """
            Tape.mermaid writes the graph in Mermaid's flowchart language, which markdown viewers (GitHub, the
            notebook) draw: values flow left to right; backward walks the arrows the other way.
            """)
        explain("The tape in Mermaid", "")
        // notebook: mermaid
        print(Tape(of: loss).mermaid)
        // end notebook

        explain(
            "6. backward()",
            """
            backward() starts from d loss / d loss = 1 and replays the entries from last to first. Each pullback
            turns the gradient of its output into gradients of its inputs; where a value fed two ops, the two
            gradients are added. Leaves with requiresGrad receive the result in .grad.
            """)
        // notebook: backward
        loss.backward()
        print("d loss / d w =", w.grad!)
        print("d loss / d b =", b.grad!)
        print("After backward the tape let go of what it kept:", Tape(of: loss).totalBytesKept, "bytes")
        // end notebook
        golden("d loss / d w[0]", Double(w.grad!.scalars[0]))

        explain(
            "7. A pullback, written out",
            """
            Every op is two things side by side, as in micrograd: its value, and its pullback, the rule from
            the gradient of its output to the gradient of its input. Here is tanh written as an op of our own
            (differentiableOp is how Tapegrad's ops are made): d tanh(v)/dv = 1 - tanh(v)^2, so the pullback
            multiplies the incoming gradient by 1 - y^2, with y the value it saved.
            """)
        // notebook: pullback
        func myTanh(_ v: Tensor) -> Tensor {
            let y = withNoGrad { tanh(v) }
            return differentiableOp("my_tanh", inputs: [v], saving: [y], value: y) { dy in [dy * (1 - y * y)] }
        }
        let v = Tensor([0.5, -1, 2])
        v.requiresGrad = true
        myTanh(v).sum().backward()
        print("the pullback's gradient:", v.grad!.scalars)
        print("1 - tanh(v)^2:          ", withNoGrad { 1 - tanh(v) * tanh(v) }.scalars)
        // end notebook

        explain(
            "8. Checking the tape with finite differences",
            """
            gradcheck nudges every value of w and b up and down by a little and watches the loss move:
            (f(v + h) - f(v - h)) / 2h. If a pullback were wrong, the two would disagree and the report would
            name the tensor, the element and both numbers.
            """)
        // notebook: gradcheck
        let report = gradcheck(wrt: [w, b]) { pow(sigmoid((x * w).sum(alongAxes: [1]) + b) - target, 2).mean() }
        print(report)
        // end notebook

        explain(
            "Summary",
            """
            Ops compute values and record entries; backward replays the entries in reverse, one pullback at a
            time, and leaves receive .grad. gradcheck is how you know a pullback is right.
            """)
        try writeNumbers(to: RunFolder(output))
    }
}
