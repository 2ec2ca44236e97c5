import Foundation
import NN

extension ConfusionMatrix {
    /// The matrix as an SVG heat map: rows are true classes, columns predictions, darker cells more examples;
    /// each cell shows its count.
    public var svg: String {
        let n = classNames.count
        let (cell, left, top) = (44.0, 140.0, 120.0)
        let (width, height) = (left + cell * Double(n) + 60, top + cell * Double(n) + 40)  // room for rotated names
        let largest = Double(counts.joined().max() ?? 1)
        var parts = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" viewBox="0 0 \#(Int(width)) \#(Int(height))" font-family="sans-serif" font-size="11">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            #"<text x="\#(width / 2)" y="20" text-anchor="middle" font-size="14">Confusion matrix (accuracy \#(String(format: "%.1f", accuracy * 100))%)</text>"#,
            #"<text x="\#(left + cell * Double(n) / 2)" y="\#(height - 12)" text-anchor="middle">predicted class</text>"#,
            #"<text x="14" y="\#(top + cell * Double(n) / 2)" text-anchor="middle" transform="rotate(-90 14 \#(top + cell * Double(n) / 2))">true class</text>"#,
        ]
        for (i, name) in classNames.enumerated() {
            let y = top + cell * Double(i) + cell / 2 + 4
            parts.append(#"<text x="\#(left - 6)" y="\#(y)" text-anchor="end">\#(escape(name))</text>"#)
            let x = left + cell * Double(i) + cell / 2
            parts.append(
                #"<text x="\#(x)" y="\#(top - 6)" text-anchor="start" transform="rotate(-45 \#(x) \#(top - 6))">\#(escape(name))</text>"#
            )
        }
        for t in 0..<n {
            for p in 0..<n {
                let share = Double(counts[t][p]) / max(1, largest)
                let shade = Int(255 - 200 * share.squareRoot())
                let fill = t == p ? "rgb(\(shade),\(shade),255)" : "rgb(255,\(shade),\(shade))"
                let (x, y) = (left + cell * Double(p), top + cell * Double(t))
                parts.append(
                    #"<rect x="\#(x)" y="\#(y)" width="\#(cell)" height="\#(cell)" fill="\#(fill)" stroke="white"/>"#)
                let ink = share > 0.4 ? "white" : "black"  // dark cells need light text
                parts.append(
                    #"<text x="\#(x + cell / 2)" y="\#(y + cell / 2 + 4)" text-anchor="middle" fill="\#(ink)">\#(counts[t][p])</text>"#
                )
            }
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }
}
