import Autograd
import Datasets
import Foundation
import Testing
import Training

/// The run report's page: its parts in order, text escaped, pictures inline and intact.
@Suite struct RunReportTests {
    @Test func thePageHoldsItsSectionsInOrderWithTextEscapedAndPicturesIntact() throws {
        var report = RunReport(title: "A <small> run")
        report.addSettings(["learning rate": "0.01", "note": "a & b"])
        report.addChart(#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>"#, caption: "curves")
        let image = RGBImage(width: 2, height: 1, pixels: [255, 0, 0, 0, 0, 255])
        try report.addGallery(
            [.init(image: image, caption: ["truth <cat>", "predicted dog"], isMistake: true)], heading: "Top losses",
            scale: 4)
        let html = report.html
        #expect(html.contains("<title>A &lt;small&gt; run</title>"))
        #expect(html.contains("<td>a &amp; b</td>"))
        #expect(html.contains("truth &lt;cat&gt;<br>predicted dog"))
        #expect(!html.contains("<?xml"), "the chart's XML header is dropped inside HTML")
        #expect(html.contains(#"class="item mistake""#) && html.contains(#"width="8" height="4""#))
        let order = ["<h2>Settings", "<svg", "<h2>Top losses"].map { html.range(of: $0)!.lowerBound }
        #expect(order == order.sorted(), "sections in the order they were added")
        let encoded = html.components(separatedBy: "base64,")[1].prefix { $0 != "\"" }
        let decoded = try RGBImage(decoding: Data(base64Encoded: String(encoded))!, path: "inline")
        #expect(decoded == image)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-report-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = try report.write(to: folder)
        #expect(url.lastPathComponent == "index.html")
        #expect(try String(contentsOf: url, encoding: .utf8) == html)
        try? FileManager.default.removeItem(at: folder)
    }

    /// Gallery tiles are sized from their pictures: a 32-pixel image at 3x keeps 96 px, a 128- or 224-pixel one
    /// (224 beside its Grad-CAM is 448 wide) is drawn at the tile width at most, its height in proportion; the
    /// picture never sets a width beyond its tile's, and every tile has a caption.
    @Test(arguments: [32, 128, 224])
    func galleryPicturesFitTheirTilesAndSayWhatTheyShow(_ side: Int) throws {
        let photo = RGBImage(width: side, height: side, pixels: [UInt8](repeating: 128, count: side * side * 3))
        // Two pictures side by side, as Interpretation's grids lay out an image and its heat map.
        let pair = RGBImage(
            width: 2 * side, height: side, pixels: [UInt8](repeating: 128, count: 2 * side * side * 3))
        var report = RunReport(title: "sizes")
        try report.addGallery(
            [.init(image: photo, caption: ["#0: cat"]), .init(image: pair, caption: ["#1: dog", "right: heat"])],
            heading: "Gallery", scale: 3)
        let tiles = report.html.components(separatedBy: "<figure class=\"item").dropFirst()
        #expect(tiles.count == 2)
        for (tile, source) in zip(tiles, [photo, pair]) {
            func number(after key: String) -> Int? {
                tile.range(of: key).flatMap { Int(tile[$0.upperBound...].prefix { $0.isNumber }) }
            }
            let tileWidth = try #require(number(after: "style=\"width: "))
            let (width, height) = try (#require(number(after: " width=\"")), #require(number(after: " height=\"")))
            #expect(tileWidth == min(source.width * 3, RunReport.galleryTileWidth))
            #expect(width <= tileWidth && width == tileWidth)
            #expect(abs(height * source.width - source.height * width) <= source.width, "in proportion")
            let caption = tile.components(separatedBy: "<figcaption>").last?.components(separatedBy: "</figcaption>")
                .first
            #expect(caption?.isEmpty == false)
        }
        #expect(report.html.contains("img { image-rendering: pixelated; max-width: 100%; height: auto; }"))
    }
}
