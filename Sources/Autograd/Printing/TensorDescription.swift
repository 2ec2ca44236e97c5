import Foundation

/// Printing, NumPy-style: nested brackets, one shared number format, and "..." in place of the middle of
/// any axis longer than 6 when the tensor has more than 1,000 values.
extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = scalars
        let shown = values.filter(\.isFinite)
        let largest = shown.map { Swift.abs($0) }.max() ?? 0
        let smallest = shown.filter { $0 != 0 }.map { Swift.abs($0) }.min() ?? 0
        let integral = shown.allSatisfy { $0 == $0.rounded() } && largest < 1e6
        let scientific = !integral && (largest >= 1e5 || (smallest > 0 && smallest < 1e-4))
        let format = { (v: Float) -> String in
            if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
            if integral { return String(format: "%.0f.", v) }
            return String(format: scientific ? "%.4e" : "%.4f", v)
        }
        let texts = values.map(format)
        let width = texts.map(\.count).max() ?? 0
        let cells = texts.map { String(repeating: " ", count: width - $0.count) + $0 }
        let abbreviate = count > 1000
        let strides = Shape.strides(shape)

        func render(axis: Int, offset: Int, indent: Int) -> String {
            if axis == rank { return cells[offset] }
            let size = shape[axis]
            let positions = abbreviate && size > 6 ? Array(0..<3) + [-1] + Array((size - 3)..<size) : Array(0..<size)
            let parts = positions.map { i in
                i < 0 ? "..." : render(axis: axis + 1, offset: offset + i * strides[axis], indent: indent + 1)
            }
            let separator =
                axis == rank - 1
                ? ", "
                : ",\n" + String(repeating: "\n", count: rank - axis - 2) + String(repeating: " ", count: indent + 1)
            return "[" + parts.joined(separator: separator) + "]"
        }

        var notes = ["shape: \(formatShape(shape))"]
        if let name { notes.insert("name: \(name)", at: 0) }
        if let op = entry?.op { notes.append("from: \(op)") } else if requiresGrad { notes.append("requiresGrad") }
        let body = count == 0 ? "[]" : render(axis: 0, offset: 0, indent: 7)
        return "tensor(" + body + ", " + notes.joined(separator: ", ") + ")"
    }
}
