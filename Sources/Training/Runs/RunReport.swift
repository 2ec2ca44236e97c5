import Autograd
import Datasets
import Foundation

/// One self-contained HTML page about a training run: settings, curves, confusion matrix, galleries of images.
///
/// It opens offline in any browser and can be mailed as one file: charts are inline SVG, pictures inline PNG,
/// and there are no scripts. Sections appear in the order they are added.
///
/// ```swift
/// var report = RunReport(title: "Step 3: a CNN from scratch")
/// report.addSettings(["epochs": "10", "learning rate": "0.001"])
/// report.addChart(accuracyChart.svg, caption: "Test accuracy per epoch")
/// try report.write(to: folder)   // folder/index.html
/// ```
public struct RunReport {
    /// One picture of a gallery with the lines printed under it.
    public struct GalleryItem {
        public let image: RGBImage
        public let caption: [String]
        /// Marks the item as a mistake (a red frame).
        public let isMistake: Bool

        public init(image: RGBImage, caption: [String], isMistake: Bool = false) {
            (self.image, self.caption, self.isMistake) = (image, caption, isMistake)
        }
    }

    public let title: String
    private var sections: [String] = []

    public init(title: String) { self.title = title }

    /// A heading with a paragraph of text under it.
    public mutating func addText(_ text: String, heading: String? = nil) {
        sections.append((heading.map { "<h2>\(escaped($0))</h2>\n" } ?? "") + "<p>\(escaped(text))</p>")
    }

    /// The run's settings as a two-column table, in the order given.
    public mutating func addSettings(_ settings: KeyValuePairs<String, String>, heading: String = "Settings") {
        addTable(heading: heading, header: ["setting", "value"], rows: settings.map { [$0.key, $0.value] })
    }

    /// A table: `header` names the columns, each row gives one cell per column.
    public mutating func addTable(heading: String, header: [String], rows: [[String]]) {
        for (i, row) in rows.enumerated() {
            check(
                row.count == header.count,
                "RunReport.addTable: row \(i) of \"\(heading)\" has \(row.count) cells for \(header.count) columns")
        }
        let head = "<tr>" + header.map { "<th>\(escaped($0))</th>" }.joined() + "</tr>"
        let body = rows.map { "<tr>" + $0.map { "<td>\(escaped($0))</td>" }.joined() + "</tr>" }
        sections.append(
            "<h2>\(escaped(heading))</h2>\n<table>\n" + ([head] + body).joined(separator: "\n") + "\n</table>")
    }

    /// A chart (an SVG document such as `LineChart.svg` or `ConfusionMatrix.svg`) with a caption.
    public mutating func addChart(_ svg: String, caption: String) {
        guard let start = svg.range(of: "<svg") else {
            check(false, "RunReport.addChart: \"\(caption)\" is not an SVG document")
            return
        }
        sections.append(
            "<figure>\n\(svg[start.lowerBound...])\n<figcaption>\(escaped(caption))</figcaption>\n</figure>")
    }

    /// A picture with a caption, shown at `scale` times its pixel size (sharp, not smoothed).
    public mutating func addImage(_ image: RGBImage, caption: String, scale: Int = 1) throws {
        sections.append(
            "<figure>\n\(try imageTag(image, width: image.width * scale, height: image.height * scale, alt: caption))\n<figcaption>\(escaped(caption))</figcaption>\n</figure>"
        )
    }

    /// The widest a gallery tile is drawn, in CSS pixels: a wider picture (a 224-pixel photo beside its Grad-CAM)
    /// is scaled down to it, so tiles sit side by side and none hides under the next.
    public static let galleryTileWidth = 360

    /// Pictures side by side, each with lines of caption under it: top losses, Grad-CAMs. Each tile is as wide
    /// as its picture at `scale` (3 suits 28-pixel images), at most `galleryTileWidth`.
    public mutating func addGallery(_ items: [GalleryItem], heading: String, note: String? = nil, scale: Int = 1)
        throws
    {
        check(
            items.allSatisfy { !$0.caption.joined().isEmpty },
            "RunReport.addGallery: every picture of \"\(heading)\" needs a caption saying what it shows")
        var html = "<h2>\(escaped(heading))</h2>\n" + (note.map { "<p>\(escaped($0))</p>\n" } ?? "")
        html += "<div class=\"gallery\">\n"
        for item in items {
            let width = min(item.image.width * scale, Self.galleryTileWidth)
            let height = max(1, (item.image.height * width + item.image.width / 2) / item.image.width)
            html += "<figure class=\"\(item.isMistake ? "item mistake" : "item")\" style=\"width: \(width)px\">"
            html += try imageTag(item.image, width: width, height: height, alt: item.caption.first ?? "")
            html += "<figcaption>" + item.caption.map(escaped).joined(separator: "<br>") + "</figcaption></figure>\n"
        }
        sections.append(html + "</div>")
    }

    /// The page.
    public var html: String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escaped(title))</title>
        <style>
        body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; display: block; max-width: 100%; overflow-x: auto; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
        figure { margin: 1em 0; }
        figcaption { font-size: 0.9em; color: #444; }
        img { image-rendering: pixelated; max-width: 100%; height: auto; }
        svg { max-width: 100%; height: auto; }
        .gallery { display: flex; flex-wrap: wrap; gap: 0.75em; }
        .gallery .item { margin: 0; padding: 4px; border: 2px solid #ddd; max-width: calc(100% - 12px); }
        .gallery .mistake { border-color: #c33; }
        </style>
        </head>
        <body>
        <h1>\(escaped(title))</h1>
        \(sections.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    /// Writes the page to `index.html` in `folder` and returns its URL.
    @discardableResult
    public func write(to folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("index.html")
        try html.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func imageTag(_ image: RGBImage, width: Int, height: Int, alt: String) throws -> String {
        let png = try image.pngData().base64EncodedString()
        return "<img src=\"data:image/png;base64,\(png)\" width=\"\(width)\" height=\"\(height)\" "
            + "alt=\"\(escaped(alt))\">"
    }
}

/// `text` with the characters HTML gives a meaning replaced by their entities.
private func escaped(_ text: String) -> String {
    var result = ""
    for character in text {
        switch character {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        default: result.append(character)
        }
    }
    return result
}
