import Foundation
import Testing

@testable import Autograd

/// Every Swift example of README.md, ARCHITECTURE.md and the notebooks' Swift primer is in Examples.swift, line for line and in order, so it
/// compiles here; and each does what its page says. (The DocC articles' examples are compiled by
/// `scripts/dependent_package.sh`, as a package that depends on Tapegrad.)
@Suite struct DocumentedExamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: ["README.md", "ARCHITECTURE.md", "notebooks-md/00-swift-for-pytorch-users.md"])
    func everyExampleIsCompiledHere(_ page: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(page), encoding: .utf8)
        let examples = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "Examples.swift"), encoding: .utf8
        ).split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: "\n")
        let blocks = text.components(separatedBy: "```swift\n").dropFirst().map {
            $0.components(separatedBy: "```")[0]
        }
        #expect(!blocks.isEmpty, "\(page) has Swift examples")
        for block in blocks {
            var position = examples.startIndex
            // Compared without indentation and with runs of spaces as one, as a formatter may leave them.
            for line in block.split(separator: "\n").map({ $0.split(separator: " ").joined(separator: " ") })
            where !line.isEmpty && !line.hasPrefix("import ") {
                let found = examples.range(of: line, range: position..<examples.endIndex)
                #expect(found != nil, "\(page): `\(line)` is not in Examples.swift (in that order)")
                position = found?.upperBound ?? position
            }
        }
    }

    @Test func theReadmeTastePrintsTheTapeTheGradientAndAPassedGradcheck() {
        let printed = readmeTaste()
        #expect(printed.contains("sigmoid") && printed.contains("kept for backward"), "\(printed)")
        #expect(printed.contains("gradcheck passed"), "\(printed)")
    }

    @Test func thePrimersExamplesGiveWhatItSays() {
        let printed = primerValuesFunctionsAndErrors()
        #expect(
            printed == [
                "2 rows of 3, sum 21.0", "3.14", "[2.0, 4.0, 6.0]", "[3.0, 6.0, 9.0]", "[1, 4, 9, 16]", "[[2, 3], [2]]",
                "nil",
            ])
        let (model, isLinear) = primerTypes()
        #expect(model.count == 4 && isLinear)
        #expect(Scale(3)(Tensor([1, 2])).scalars == [3, 6])
        #expect(Point().x == 0 && Side.left != .right)
    }

    @Test func theArchitecturePagesExpIsAutogradsOwn() {
        let x = Tensor([-1, 0, 0.5, 2])
        x.requiresGrad = true
        let (ours, theirs) = (exp(x), Autograd.exp(x))
        #expect(ours.scalars == theirs.scalars)
        #expect(gradcheck(wrt: [x]) { exp(x).sum() }.passed)
    }
}
