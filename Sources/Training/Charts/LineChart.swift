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
    /// How the y axis writes its values: `.percent` for a fraction (accuracy 0.85 is "85%").
    public var yFormat: ValueFormat
    /// Vertical dashed lines with a label, at x values where something changed ("fine-tuning starts").
    public var markers: [(x: Double, label: String)] = []

    public enum ValueFormat: Sendable {
        case plain
        case percent
    }

    public init(title: String, xLabel: String, yLabel: String, yFormat: ValueFormat = .plain, series: [Series]) {
        (self.title, self.xLabel, self.yLabel, self.yFormat, self.series) = (title, xLabel, yLabel, yFormat, series)
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public var svg: String {
        let (width, height, left, right, top, bottom) = (640.0, 400.0, 70.0, 170.0, 40.0, 50.0)
        let xs = series.flatMap { $0.points.map { transformX($0.x) } }
        let ys = series.flatMap { $0.points.map(\.y) }
        let (xMin, xMax) = (xs.min() ?? 0, xs.max() ?? 1)
        // The y axis runs between round values: the first tick at or below the data, the last at or above.
        let yTicks = Self.roundTicks(covering: ys.min() ?? 0, ys.max() ?? 1)
        let (yMin, yMax) = (yTicks.first!, yTicks.last!)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func px(_ x: Double) -> Double {
            left + (xMax > xMin ? (transformX(x) - xMin) / (xMax - xMin) : 0.5) * plotWidth
        }
        func py(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight }

        var parts = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" viewBox="0 0 \#(Int(width)) \#(Int(height))" font-family="sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            #"<text x="\#(width / 2)" y="22" text-anchor="middle" font-size="15">\#(escape(title))</text>"#,
            #"<line x1="\#(left)" y1="\#(top + plotHeight)" x2="\#(left + plotWidth)" y2="\#(top + plotHeight)" stroke="black"/>"#,
            #"<line x1="\#(left)" y1="\#(top)" x2="\#(left)" y2="\#(top + plotHeight)" stroke="black"/>"#,
            #"<text x="\#(left + plotWidth / 2)" y="\#(height - 10)" text-anchor="middle">\#(escape(xLabel))</text>"#,
            #"<text x="16" y="\#(top + plotHeight / 2)" text-anchor="middle" transform="rotate(-90 16 \#(top + plotHeight / 2))">\#(escape(yLabel))</text>"#,
        ]
        let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        for y in yTicks {
            parts.append(
                #"<line x1="\#(left)" y1="\#(py(y))" x2="\#(left + plotWidth)" y2="\#(py(y))" stroke="lightgray"/>"#)
            let label = Self.label(y, step: yStep, format: yFormat)
            parts.append(#"<text x="\#(left - 6)" y="\#(py(y) + 4)" text-anchor="end">\#(label)</text>"#)
        }
        let dataXs = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
        // A log axis is labelled at its data points when they are few (10, 50, 250 examples), else at powers of
        // ten; a linear one at round values, and at its first value when that is a whole number (epoch 1).
        var xTicks =
            logarithmicX
            ? (dataXs.count <= 8 ? dataXs : Self.powersOfTen(within: dataXs.first ?? 1, dataXs.last ?? 10))
            : Self.roundTicks(within: dataXs.first ?? 0, dataXs.last ?? 1)
        if !logarithmicX, let first = dataXs.first, first == first.rounded(),
            xTicks.first.map({ $0 - first > 0.5 }) ?? true
        {
            xTicks.insert(first, at: 0)
        }
        let xStep = xTicks.count > 1 ? xTicks[xTicks.count - 1] - xTicks[xTicks.count - 2] : 1
        for x in xTicks {
            let label = logarithmicX ? String(format: "%g", x) : Self.label(x, step: xStep, format: .plain)
            parts.append(#"<text x="\#(px(x))" y="\#(top + plotHeight + 16)" text-anchor="middle">\#(label)</text>"#)
        }
        for marker in markers {
            let x = px(marker.x)
            parts.append(
                #"<line x1="\#(x)" y1="\#(top)" x2="\#(x)" y2="\#(top + plotHeight)" stroke="gray" stroke-dasharray="4 3"/>"#
            )
            parts.append(#"<text x="\#(x + 4)" y="\#(top + 12)" fill="gray">\#(escape(marker.label))</text>"#)
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

    /// A round step for about `count` ticks over `span`: 1, 2 or 5 times a power of ten, whole for whole data.
    static func roundStep(_ span: Double, count: Int = 5, whole: Bool) -> Double {
        let raw = Swift.max(span, 1e-12) / Double(count - 1)
        let power = Foundation.pow(10, (Foundation.log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw * 0.999 }!
        return whole ? Swift.max(1, step.rounded(.up)) : step
    }

    /// Round ticks from the last multiple of the step at or below `low` to the first at or above `high`.
    static func roundTicks(covering low: Double, _ high: Double) -> [Double] {
        let (low, high) = high - low < 1e-12 ? (low - 0.5, high + 0.5) : (low, high)
        let step = roundStep(high - low, whole: false)
        let (first, last) = ((low / step + 1e-9).rounded(.down), (high / step - 1e-9).rounded(.up))
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// Round ticks inside `low...high` (whole numbers when both ends are whole).
    static func roundTicks(within low: Double, _ high: Double) -> [Double] {
        let whole = low == low.rounded() && high == high.rounded()
        let step = roundStep(high - low, whole: whole)
        let (first, last) = ((low / step - 1e-9).rounded(.up), (high / step + 1e-9).rounded(.down))
        return first <= last ? stride(from: first, through: last, by: 1).map { $0 * step } : [low]
    }

    /// `value` with as many decimals as `step` needs: 0.85 with a step of 0.05 is "0.85", or "85%".
    /// 10^k for every whole k with 10^k in `low...high`.
    static func powersOfTen(within low: Double, _ high: Double) -> [Double] {
        let (first, last) = (Int(Foundation.log10(low).rounded(.up)), Int(Foundation.log10(high).rounded(.down)))
        return first <= last ? (first...last).map { Foundation.pow(10, Double($0)) } : [low, high]
    }

    static func label(_ value: Double, step: Double, format: ValueFormat) -> String {
        let (shown, scaledStep) = format == .percent ? (value * 100, step * 100) : (value, step)
        let decimals = Swift.max(0, Int((-Foundation.log10(scaledStep) + 0.999).rounded(.down)))
        let text = String(format: "%.\(decimals)f", shown)
        return format == .percent ? text + "%" : text
    }
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}
