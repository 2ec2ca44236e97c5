import Foundation
import ReaderFuzzing
import Testing

/// Replays the fuzzing corpora (`Tests/Fuzz/corpus/<reader>`: seeds, what libFuzzer kept, and every input that
/// once crashed a reader) through the readers, so a regression fails the test suite and not only `make fuzz`.
@Suite struct ReaderCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    @Test(arguments: ReaderTarget.allCases)
    func everyCorpusInputIsReadWithoutACrash(_ target: ReaderTarget) throws {
        let folder = Self.corpus.appendingPathComponent(target.rawValue)
        let inputs = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        #expect(inputs.count >= 3, "\(target.rawValue): a corpus of at least the seeds")
        for url in inputs { target.read(try Data(contentsOf: url)) }
    }
}
