import Foundation
import TestSupport
import Testing

@Suite struct ManyMachinesTutorialTests {
    /// Step 10 at its defaults, as its notebook runs it: one process, then itself under mpirun as two.
    @Test func twoProcessesTrainAsOneAndPlainBatchNormDoesNot() throws {
        let output = temporaryFolder("10")
        let (status, text) = try runTutorial(
            "10-many-machines", arguments: ["--output", output.path], withErrors: true)
        #expect(status == 0, "\(text)")
        expectGoldenNumbers(of: "10-many-machines", in: text)
        #expect(text.contains("$ mpirun -np 2 --oversubscribe"))
        #expect(text.contains("With SyncBatchNorm, the opening steps agree to float rounding"), "\(text)")
        #expect(text.contains("With BatchNorm2d, they differ from the first step on"), "\(text)")
        // The processes' progress reached this output, each bar's last drawing only.
        #expect(text.contains("2 processes epoch 2 [####################] 188/188"))
        #expect(!text.contains("\r"))
        for chart in ["loss-per-step.svg", "difference-per-step.svg"] {
            let svg = try String(contentsOf: output.appendingPathComponent(chart), encoding: .utf8)
            #expect(svg.hasPrefix("<svg"), "\(chart)")
        }
        let record =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: output.appendingPathComponent("record-2-processes.json"))) as? [String: Any]
        #expect((record?["stepLosses"] as? [Double])?.count == 376)
        #expect(((record?["communicationSeconds"] as? Double) ?? 0) > 0)
    }

    /// Three processes: the ring with more than two, a last batch cut unevenly in three.
    @Test func threeProcessesAgreeToo() throws {
        let output = temporaryFolder("10-three")
        let (status, text) = try runTutorial(
            "10-many-machines",
            arguments: [
                "--processes", "3", "--examples", "1000", "--validation-examples", "200", "--epochs", "1", "--output",
                output.path,
            ], withErrors: true)
        #expect(status == 0, "\(text)")
        #expect(text.contains("$ mpirun -np 3 --oversubscribe"))
        #expect(text.contains("With SyncBatchNorm, the opening steps agree to float rounding"), "\(text)")
    }
}
