import Datasets
import Foundation
import Testing

/// Checks a run's `index.html`: one page that opens offline (no scripts, nothing from the network, no path of
/// this machine), with the sections a reader expects, pictures that decode, and galleries that fit in a browser.
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
    // Gallery tiles: each picture fits its tile, and each says what it shows.
    for (i, tile) in html.components(separatedBy: "<figure class=\"item").dropFirst().enumerated() {
        func number(after key: String) -> Int? {
            tile.range(of: key).flatMap { Int(tile[$0.upperBound...].prefix { $0.isNumber }) }
        }
        let (tileWidth, width) = (number(after: "style=\"width: "), number(after: " width=\""))
        #expect(tileWidth != nil && width != nil && width! <= tileWidth!, "tile \(i): the picture fits its tile")
        #expect(
            tile.components(separatedBy: "<figcaption>").last?.hasPrefix("</figcaption>") == false,
            "tile \(i) has a caption")
    }
    // And as a browser draws them, on a wide screen and a phone's.
    for windowWidth in [1280, 420] {
        let layout = try layoutProblems(of: folder.appendingPathComponent("index.html"), windowWidth: windowWidth)
        #expect(layout.tiles == html.components(separatedBy: "<figure class=\"item").count - 1)
        #expect(layout.problems.isEmpty, "at \(windowWidth) px: \(layout.problems.prefix(5))")
    }
    for (i, encoded) in images.enumerated() {
        let data = try #require(Data(base64Encoded: String(encoded)), "picture \(i) is base64")
        let image = try RGBImage(decoding: data, path: "picture \(i)")
        #expect(image.width > 0 && image.height > 0)
    }
}
