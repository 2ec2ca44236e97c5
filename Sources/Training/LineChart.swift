import Foundation
import NN

/// A line chart written as SVG: one or more named series over a shared x axis, with axes, ticks and a legend.
/// Opens in any browser and renders in markdown viewers that show images.
public struct LineChart {
    public struct Series {
        public let name: String
        public let points: [(x: Double, y: Double)]
        public init(_ name: String, _ points: [(x: Double, y: Double)]) { (self.name, self.points) = (name, points) }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Use a logarithmic x axis (examples per class, say).
    public var logarithmicX = false

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        (self.title, self.xLabel, self.yLabel, self.series) = (title, xLabel, yLabel, series)
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public var svg: String {
        let (width, height, left, right, top, bottom) = (640.0, 400.0, 70.0, 170.0, 40.0, 50.0)
        let xs = series.flatMap { $0.points.map { transformX($0.x) } }
        let ys = series.flatMap { $0.points.map(\.y) }
        let (xMin, xMax) = (xs.min() ?? 0, xs.max() ?? 1)
        var (yMin, yMax) = (ys.min() ?? 0, ys.max() ?? 1)
        if yMax - yMin < 1e-9 { (yMin, yMax) = (yMin - 0.5, yMax + 0.5) }
        let pad = (yMax - yMin) * 0.05
        (yMin, yMax) = (yMin - pad, yMax + pad)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func px(_ x: Double) -> Double {
            left + (xMax > xMin ? (transformX(x) - xMin) / (xMax - xMin) : 0.5) * plotWidth
        }
        func py(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight }

        var parts = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            #"<text x="\#(width / 2)" y="22" text-anchor="middle" font-size="15">\#(escape(title))</text>"#,
            #"<line x1="\#(left)" y1="\#(top + plotHeight)" x2="\#(left + plotWidth)" y2="\#(top + plotHeight)" stroke="black"/>"#,
            #"<line x1="\#(left)" y1="\#(top)" x2="\#(left)" y2="\#(top + plotHeight)" stroke="black"/>"#,
            #"<text x="\#(left + plotWidth / 2)" y="\#(height - 10)" text-anchor="middle">\#(escape(xLabel))</text>"#,
            #"<text x="16" y="\#(top + plotHeight / 2)" text-anchor="middle" transform="rotate(-90 16 \#(top + plotHeight / 2))">\#(escape(yLabel))</text>"#,
        ]
        for i in 0...4 {
            let y = yMin + (yMax - yMin) * Double(i) / 4
            parts.append(
                #"<line x1="\#(left)" y1="\#(py(y))" x2="\#(left + plotWidth)" y2="\#(py(y))" stroke="lightgray"/>"#)
            parts.append(#"<text x="\#(left - 6)" y="\#(py(y) + 4)" text-anchor="end">\#(tick(y))</text>"#)
        }
        let xTicks = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
        let step = max(1, xTicks.count / 10)
        for x in xTicks.enumerated().filter({ $0.offset % step == 0 }).map(\.element) {
            parts.append(#"<text x="\#(px(x))" y="\#(top + plotHeight + 16)" text-anchor="middle">\#(tick(x))</text>"#)
        }
        for (i, s) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let path = s.points.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
            parts.append(#"<polyline fill="none" stroke="\#(color)" stroke-width="2" points="\#(path)"/>"#)
            for p in s.points { parts.append(#"<circle cx="\#(px(p.x))" cy="\#(py(p.y))" r="3" fill="\#(color)"/>"#) }
            let ly = top + 10 + Double(i) * 18
            parts.append(#"<rect x="\#(width - right + 12)" y="\#(ly - 9)" width="12" height="12" fill="\#(color)"/>"#)
            parts.append(#"<text x="\#(width - right + 30)" y="\#(ly + 1)">\#(escape(s.name))</text>"#)
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private func transformX(_ x: Double) -> Double { logarithmicX ? Foundation.log10(Swift.max(x, 1e-12)) : x }
}

func tick(_ value: Double) -> String {
    if value == value.rounded() && Swift.abs(value) < 1e6 { return String(Int(value)) }
    return String(format: Swift.abs(value) < 0.01 ? "%.2e" : "%.3g", value)
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}
