import Autograd
import ExerciseKit

/// Exercise 11. `backward()` itself, on a tape of scalars: the order the entries are visited in, and the sum
/// where one value feeds two ops. Its notebook: notebooks-md/02-gradients-by-hand.md.
public enum Exercise11Backward: Exercise {
    public static let title = "backward() itself"
    public static let teaches =
        "Backward visits each value after every op that used it, and adds up the gradient each of them sends."
    public static let nudges = [
        "a value used by two ops gets a gradient from each of them: where does the second one go?",
        "a value may pass its gradient on only once every op that used it has sent its share",
    ]

    /// One scalar and how it was made: a tape entry, shrunk to numbers. `inputs` are the values it was computed
    /// from, each with the derivative of this value with respect to it (the pullback, for scalars).
    public final class Value {
        public let name: String
        public let data: Double
        public let inputs: [(value: Value, localGradient: Double)]
        /// d output / d self, once `backward(from:)` has run.
        public var grad = 0.0

        public init(_ name: String, _ data: Double, inputs: [(value: Value, localGradient: Double)] = []) {
            (self.name, self.data, self.inputs) = (name, data, inputs)
        }

        public static func + (a: Value, b: Value) -> Value {
            Value("(\(a.name) + \(b.name))", a.data + b.data, inputs: [(a, 1), (b, 1)])
        }

        public static func * (a: Value, b: Value) -> Value {
            Value("\(a.name) \(b.name)", a.data * b.data, inputs: [(a, b.data), (b, a.data)])
        }
    }

    /// Fills `grad` of every value `output` was computed from (and of `output`, with 1): d output / d value.
    /// Visit the values in reverse topological order, each after every value computed from it, and add each
    /// input's share, `value.grad * localGradient`, into its `grad`. Use a loop and a list, not recursion
    /// alone: a deep network's tape is thousands of entries long.
    public static func backward(from output: Value) {
        #if REFERENCE
            // Depth-first, a value is listed after all of its inputs; reversed, each comes before its inputs.
            var order: [Value] = []
            var seen: Set<ObjectIdentifier> = []
            var stack: [(value: Value, inputsListed: Bool)] = [(output, false)]
            while let (value, inputsListed) = stack.popLast() {
                if inputsListed {
                    order.append(value)
                    continue
                }
                guard seen.insert(ObjectIdentifier(value)).inserted else { continue }
                stack.append((value, true))
                for input in value.inputs { stack.append((input.value, false)) }
            }
            output.grad = 1
            for value in order.reversed() {
                for input in value.inputs { input.value.grad += value.grad * input.localGradient }
            }
        #else
            // Your code here: set output.grad, then send each value's gradient to its inputs.
            _ = output
        #endif
    }

    // MARK: The check

    /// Grades a backward pass: on x = 2, y = 3, a = x y, b = a + x, out = b a, where x and a each feed two ops,
    /// every gradient against the tape's for the same expression on tensors.
    public static func grade(_ backward: (Value) -> Void) -> Verdict {
        let (x, y) = (Value("x", 2), Value("y", 3))
        let a = x * y
        let b = a + x
        let output = b * a
        backward(output)
        let (tx, ty) = (Tensor([2]), Tensor([3]))
        tx.requiresGrad = true
        ty.requiresGrad = true
        let ta = tx * ty
        ta.retainGrad()
        ((ta + tx) * ta).sum().backward()
        let hint =
            "the output's gradient is 1; visit each value after every value computed from it (a reverse "
            + "topological order), and do input.grad += value.grad * localGradient for each of its inputs"
        guard output.grad == 1 else {
            return .fail("the output's own gradient is \(output.grad); d output / d output is 1", hint: hint)
        }
        for (value, tape) in [(a, ta), (x, tx), (y, ty)] {
            let expected = Double(tape.grad!.scalars[0])
            guard abs(value.grad - expected) <= 1e-9 * max(1, abs(expected)) else {
                return .fail(
                    "d output / d \(value.name) is \(value.grad); the tape gives \(expected) (out = (x y + x) x y, "
                        + "with x = 2, y = 3)", hint: hint)
            }
        }
        return .pass("every gradient equals the tape's, where x and x y each feed two ops")
    }

    public static func check() -> Verdict { grade(backward(from:)) }
}
