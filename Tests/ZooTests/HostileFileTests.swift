import Foundation
import NN
import Testing

@testable import Zoo

/// Files that lie: pickle bombs and sizes larger than the file. Each is a clear error within bounded time and
/// memory: nothing is allocated for what a file only claims.
@Suite struct HostileFileTests {
    static func load(_ name: String) throws -> WeightFile {
        try PretrainedWeights.load(PretrainedWeightsTests.folder.appendingPathComponent(name))
    }

    /// Fails the test if `body` takes longer than `limit`; returns what it threw.
    static func quickly(_ limit: Duration = .seconds(2), _ body: () throws -> Void) -> Error? {
        let clock = ContinuousClock()
        var thrown: Error?
        let elapsed = clock.measure {
            do { try body() } catch { thrown = error }
        }
        #expect(elapsed < limit, "took \(elapsed)")
        return thrown
    }

    @Test func aStorageLargerThanTheFileIsAnErrorNamingTheKey() {
        let error = Self.quickly { _ = try Self.load("huge_storage.pth") }
        #expect("\(error!)".contains("w: its storage 0 declares 1099511627776 elements of F32"), "\(error!)")
    }

    @Test func aSizeWhoseElementCountOverflowsIsAnError() {
        let error = Self.quickly { _ = try Self.load("overflowing_size.pth") }
        #expect("\(error!)".contains("w: size [4611686018427387904, 4] is too large"), "\(error!)")
    }

    static func unpickle(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var unpickler = RestrictedUnpickler(bytes: raw, path: "bomb.pkl")
            let root = try unpickler.load()
            _ = try CheckpointContents(root: root, objects: unpickler.objects, path: "bomb.pkl")
        }
    }

    /// 200,000 tuples each holding the last: values that nested would overflow the stack when freed.
    @Test func deepNestingIsReadAndFreedWithoutRecursion() {
        let bomb: [UInt8] = [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 200_000) + [0x2E]
        let error = Self.quickly { try Self.unpickle(bomb) }
        #expect("\(error!)".contains("the file holds a tuple, not a dict of weights"))
    }

    /// A billion laughs: 40 levels, each a tuple of ten references to the level below (10^40 leaves if
    /// expanded), in a dict. References stay references: read in linear time.
    @Test func memoFanOutIsNotExpanded() {
        var bomb: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00]  // PROTO 2, EMPTY_LIST, BINPUT 0
        for _ in 0..<40 {
            bomb += [0x28] + Array([[UInt8]](repeating: [0x68, 0x00], count: 10).joined()) + [0x74, 0x71, 0x00]
        }
        bomb += [0x30]  // POP is not an opcode a weight file uses: refused with its position
        let refused = Self.quickly { try Self.unpickle(bomb) }
        #expect("\(refused!)".contains("unsupported opcode 0x30"))
        bomb.removeLast()
        bomb += [0x7D, 0x8C, 0x01, UInt8(ascii: "a"), 0x68, 0x00, 0x73, 0x2E]  // {"a": level 40}
        let error = Self.quickly { try Self.unpickle(bomb) }
        #expect("\(error!)".contains("no weights found: the file holds 1 entry (a)"))
    }

    @Test func aSafetensorsHeaderLongerThanTheFileIsAnError() {
        let bytes = withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init) + Array("{}".utf8)
        let error = Self.quickly { _ = try PretrainedWeights.read(Data(bytes), path: "lying.safetensors") }
        #expect("\(error!)".contains("exceeds the file"))
    }
}
