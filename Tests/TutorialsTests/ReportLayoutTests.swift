import Datasets
import Foundation
import TestSupport
import Interpretation
import Testing
import Training

/// A report's galleries as Chromium draws them, at the sizes the tutorials use: 32-pixel images at 3x, 128- and
/// 224-pixel photos, each beside its Grad-CAM. The tutorials' own reports are checked the same way.
@Suite struct ReportLayoutTests {
    @Test(arguments: [32, 128, 224])
    func galleriesFitOnAWideScreenAndAPhone(_ side: Int) throws {
        let pixels = (0..<side * side * 3).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let photo = RGBImage(width: side, height: side, pixels: pixels)
        let pair = RGBImage(grid: [photo, photo], columns: 2)
        var report = RunReport(title: "\(side) px")
        try report.addGallery(
            (0..<8).map { .init(image: $0.isMultiple(of: 2) ? pair : photo, caption: ["#\($0): cat", "right: heat"]) },
            heading: "Grad-CAM", scale: 3)
        let folder = temporaryFolder("layout-\(side)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = try report.write(to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        for windowWidth in [1280, 420] {
            let layout = try layoutProblems(of: page, windowWidth: windowWidth)
            #expect(layout.tiles == 8)
            #expect(layout.problems.isEmpty, "\(side) px at \(windowWidth): \(layout.problems)")
        }
    }

    /// The check sees what the old reports did: pictures drawn at 3x, wider than their cards, under the next one.
    @Test func theCheckSeesAPictureWiderThanItsTile() throws {
        let photo = RGBImage(width: 128, height: 128, pixels: [UInt8](repeating: 90, count: 128 * 128 * 3))
        var report = RunReport(title: "overflow")
        try report.addGallery(
            [.init(image: photo, caption: ["#0: cat"]), .init(image: photo, caption: ["#1: dog"])],
            heading: "Grad-CAM", scale: 3)
        let folder = temporaryFolder("layout-overflow")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = try report.write(to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = try String(contentsOf: page, encoding: .utf8)
        try html.replacingOccurrences(of: "max-width: 100%; height: auto; }", with: "}")
            .replacingOccurrences(of: "<img src", with: "<img style=\"width: 384px\" src")
            .write(to: page, atomically: true, encoding: .utf8)
        let layout = try layoutProblems(of: page, windowWidth: 1280)
        #expect(layout.problems.contains { $0.contains("leaves its") }, "\(layout.problems)")
    }
}
