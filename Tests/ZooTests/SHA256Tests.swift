import Foundation
import Testing

@testable import Zoo

@Suite struct SHA256Tests {
    func digest(_ bytes: [UInt8], pieces: [Int] = []) -> String {
        var hasher = SHA256()
        var start = 0
        for size in pieces where start < bytes.count {
            let end = min(start + size, bytes.count)
            hasher.update(bytes[start..<end])
            start = end
        }
        hasher.update(bytes[start...])
        return SHA256.hex(hasher.finalize())
    }

    /// FIPS 180-4's examples (NIST's "SHA256.pdf" and the long-message vector), and the empty message.
    @Test func theStandardsExamples() {
        #expect(digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            digest(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every padding case (55, 56 and 64 bytes are the edges), fed whole and in uneven pieces, against coreutils'
    /// sha256sum.
    @Test func anyLengthInAnyPiecesEqualsSha256sum() throws {
        var generator = SystemRandomNumberGenerator()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(getpid()).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        for length in [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4099] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try Data(bytes).write(to: file)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            process.arguments = [file.path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let expected = String(printed.prefix(64))
            #expect(digest(bytes) == expected, "\(length) bytes whole")
            #expect(digest(bytes, pieces: [1, 3, 60, 7, 64, 129]) == expected, "\(length) bytes in pieces")
            #expect(try WeightIntegrity.sha256(of: file) == expected, "\(length) bytes read from a file")
        }
    }
}
