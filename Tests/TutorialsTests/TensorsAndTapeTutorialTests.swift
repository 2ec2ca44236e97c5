import Foundation
import TestSupport
import Testing

@Suite struct TensorsAndTapeTutorialTests {
    @Test func runsAndShowsTheTapeBackwardAndAPassingGradcheck() throws {
        let (status, output) = try runTutorial(
            "01-tensors-and-tape", arguments: ["--output", temporaryFolder("01").path])
        #expect(status == 0)
        #expect(output.contains("8 entries, 52 B kept for backward"))
        #expect(output.contains("flowchart LR") && output.contains("w [3]"))
        #expect(output.contains("After backward the tape let go of what it kept: 0 bytes"))
        #expect(output.contains("gradcheck passed: 4 gradient values"))
        // The hand-written pullback gives 1 - tanh(v)^2, value for value.
        let lines = output.split(separator: "\n")
        let pullback = lines.first { $0.hasPrefix("the pullback's gradient:") }?.split(separator: ":").last
        let formula = lines.first { $0.hasPrefix("1 - tanh(v)^2:") }?.split(separator: ":").last
        #expect(
            pullback != nil
                && pullback?.trimmingCharacters(in: .whitespaces) == formula?.trimmingCharacters(in: .whitespaces))
        expectGoldenNumbers(of: "01-tensors-and-tape", in: output)
    }

    @Test func theSameSeedPrintsTheSameNumbers() throws {
        let first = try runTutorial(
            "01-tensors-and-tape", arguments: ["--seed", "7", "--output", temporaryFolder("01").path])
        let second = try runTutorial(
            "01-tensors-and-tape", arguments: ["--seed", "7", "--output", temporaryFolder("01").path])
        let other = try runTutorial(
            "01-tensors-and-tape", arguments: ["--seed", "8", "--output", temporaryFolder("01").path])
        #expect(first.output == second.output)
        #expect(first.output != other.output)
    }
}
