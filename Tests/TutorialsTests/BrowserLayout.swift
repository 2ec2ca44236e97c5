import Foundation
import Testing

/// Lays a report out in headless Chromium (Debian's `chromium-headless-shell`, installed by `make deps`) at
/// `windowWidth` CSS pixels, and returns what a reader would see wrong: a picture that leaves its gallery tile,
/// tiles that cover each other, a tile without a caption, anything past the page's right edge.
///
/// The HTML alone cannot show these: a tile's width, the picture's and the page's margins meet only in layout.
/// The report has no scripts, so the measuring script goes into a copy of the page, never into the report.
func layoutProblems(of page: URL, windowWidth: Int) throws -> (tiles: Int, problems: [String]) {
    let html = try String(contentsOf: page, encoding: .utf8)
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString).html")
    try html.replacingOccurrences(of: "</body>", with: "<script>\(measuringScript)</script></body>")
        .write(to: copy, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: copy) }

    let browser = "/usr/bin/chromium-headless-shell"
    try #require(
        FileManager.default.isExecutableFile(atPath: browser),
        "\(browser) is missing: `make deps` installs Debian's chromium-headless-shell")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: browser)
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    process.arguments = [
        "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=\(windowWidth),2000", "--dump-dom",
        copy.absoluteString,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let dom = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()

    let marker = "data-layout=\""
    let found = try #require(dom.range(of: marker), "Chromium laid the page out (exit \(process.terminationStatus))")
    let attribute = dom[found.upperBound...].prefix { $0 != "\"" }
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
        .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    struct Layout: Decodable {
        let tiles: Int
        let problems: [String]
    }
    let layout = try JSONDecoder().decode(Layout.self, from: Data(attribute.utf8))
    return (layout.tiles, layout.problems)
}

/// Runs in the page after layout; rectangles are compared with half a pixel of slack for rounding.
private let measuringScript = """
    const problems = [];
    const pageWidth = document.documentElement.clientWidth;
    const tiles = [...document.querySelectorAll(".gallery .item")];
    const rects = tiles.map(tile => tile.getBoundingClientRect());
    const outside = (inner, outer) => inner.left < outer.left - 0.5 || inner.right > outer.right + 0.5
        || inner.top < outer.top - 0.5 || inner.bottom > outer.bottom + 0.5;
    tiles.forEach((tile, i) => {
        const box = rects[i];
        const picture = tile.querySelector("img").getBoundingClientRect();
        const caption = tile.querySelector("figcaption");
        if (picture.width < 1 || outside(picture, box))
            problems.push(`tile ${i}: its ${picture.width}x${picture.height} picture leaves its ${box.width}px tile`);
        if (!caption || caption.textContent.trim() === "") problems.push(`tile ${i} has no caption`);
        else if (caption.getBoundingClientRect().top < picture.bottom - 0.5)
            problems.push(`tile ${i}: the caption covers the picture`);
        rects.slice(0, i).forEach((other, j) => {
            if (other.left < box.right - 0.5 && box.left < other.right - 0.5
                && other.top < box.bottom - 0.5 && box.top < other.bottom - 0.5)
                problems.push(`tiles ${j} and ${i} cover each other`);
        });
    });
    document.querySelectorAll("img, figure, table, svg").forEach((element, i) => {
        const right = element.getBoundingClientRect().right;
        if (right > pageWidth + 0.5)
            problems.push(`${element.tagName.toLowerCase()} ${i} ends at ${right}px, past the page's ${pageWidth}px`);
    });
    document.body.setAttribute("data-layout", JSON.stringify({ tiles: tiles.length, problems }));
    """
