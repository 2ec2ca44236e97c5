import Foundation
import NN

@testable import Autograd

// The code examples of README.md, ARCHITECTURE.md and the notebooks' Swift primer, line for line (`DocumentedExamplesTests` holds the
// documents to them), so that they compile with the library as it is.

// ARCHITECTURE.md, "Adding an op or a layer": Autograd's own `exp`, as written inside the library.
public func exp(_ x: Tensor) -> Tensor {
    let y = x.map { Foundation.exp($0) }
    let saved = y.detached()  // not y: y owns its tape entry, which would then own itself
    return y.recorded("exp", inputs: [x], saving: [saved]) { dy in [dy * saved] }  // d/dx e^x = e^x
}

// README.md, the taste: its statements, returning what it printed.
func readmeTaste() -> String {
    var printed = ""
    func print(_ item: Any) { Swift.print(item, to: &printed) }

    let w = Tensor([0.5, -1, 2])
    w.requiresGrad = true
    let x = Tensor([[1, 2, 3], [4, 5, 6]])
    let loss = sigmoid((x * w).sum(alongAxes: [1])).mean()
    print(Tape(of: loss))  // what was recorded, and what it keeps in memory
    loss.backward()
    print(w.grad!)  // d loss / d w
    print(gradcheck(wrt: [w]) { sigmoid((x * w).sum(alongAxes: [1])).mean() })
    return printed
}

// notebooks-md/00-swift-for-pytorch-users.md, "Values", "Functions, labels and closures" and "Errors".
func primerValuesFunctionsAndErrors() -> [String] {
    let x = Tensor([[1, 2, 3], [4, 5, 6]])  // `let`: a name that never points elsewhere (the tensor can change)
    var total: Float = 0  // `var`: a name you may assign again; `: Float` states the type
    total += x.sum().item  // Swift guesses types where it can: `x` is a Tensor
    let (rows, columns) = (x.shape[0], x.shape[1])  // a tuple, taken apart as in Python
    let summary = "\(rows) rows of \(columns), sum \(total)"  // `\(...)` puts a value in a string: Python's f"{...}"
    let rounded = String(format: "%.2f", 3.14159)  // C's formats, as Python's "%.2f" % x

    func scaled(_ values: [Float], by factor: Float = 2) -> [Float] {
        return values.map { $0 * factor }
    }
    let doubled = scaled([1, 2, 3])  // no label where the declaration says `_`
    let tripled = scaled([1, 2, 3], by: 3)  // `by:` is an argument label: part of the name, as `dim=` is
    let squares = (1...4).map { n in n * n }  // a closure: Python's `lambda n: n * n`
    let shapes = [x, x.sum(alongAxes: [1])].map(\.shape)  // a key path: `\.shape` reads `.shape` of each

    func firstLine(of path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").first.map(String.init) ?? ""
    }
    let line = try? firstLine(of: "/nonexistent")  // `try?`: nil instead of the error

    return [summary, rounded, "\(doubled)", "\(tripled)", "\(squares)", "\(shapes)", line ?? "nil"]
}

// The primer's "Types".
final class Scale: Module {  // a class: as Python's, shared by reference; `final`: no subclasses
    let factor: Tensor
    init(_ factor: Float) {
        self.factor = Tensor([factor])
        super.init()
    }
    override func forward(_ input: Tensor) -> Tensor { input * factor }
}
struct Point { var x = 0.0, y = 0.0 }  // a struct: a value, copied when assigned (a tensor is not)
enum Side { case left, right }  // a fixed set of cases

func primerTypes() -> (Sequential, Bool) {
    let model = Sequential {  // a result builder: the block lists the layers, loops allowed
        Linear(4, 8)
        ReLU()
        for _ in 0..<2 { Linear(8, 8) }
    }
    let isLinear = model[0] is Linear  // `is` tests a type; `as?` converts, or gives nil
    return (model, isLinear)
}
