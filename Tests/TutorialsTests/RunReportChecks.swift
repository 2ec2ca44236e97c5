import Datasets
import Foundation
import Testing

/// Checks a run's `index.html`: one page that opens offline (no scripts, nothing from the network, no path of
/// this machine), with the sections a reader expects, and pictures that decode.
func expectRunReport(in folder: URL, headings: [String], charts: Int, pictures: Int) throws {
    let html = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
    for heading in headings {
        #expect(html.contains("<h2>\(heading)"), "the report has a section \"\(heading)\"")
    }
    #expect(!html.contains("<script"), "no scripts")
    let links = html.components(separatedBy: "http").count - 1
    let svgNamespaces = html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1
    #expect(links == svgNamespaces, "nothing from the network: every http is an SVG namespace")
    #expect(!html.contains(FileManager.default.currentDirectoryPath + "/"), "no path of this machine")
    #expect(!html.contains(folder.path), "no path of this machine")
    #expect(html.components(separatedBy: "<svg").count - 1 >= charts, "at least \(charts) charts")
    let images = html.components(separatedBy: "data:image/png;base64,").dropFirst().map { $0.prefix { $0 != "\"" } }
    #expect(images.count >= pictures, "at least \(pictures) pictures, found \(images.count)")
    for (i, encoded) in images.enumerated() {
        let data = try #require(Data(base64Encoded: String(encoded)), "picture \(i) is base64")
        let image = try RGBImage(decoding: data, path: "picture \(i)")
        #expect(image.width > 0 && image.height > 0)
    }
}
