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
}
