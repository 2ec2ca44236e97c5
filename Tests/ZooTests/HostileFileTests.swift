import Autograd
import Foundation
import NN
import Testing
import Training

@testable import Zoo

/// Files that lie: pickle bombs and sizes larger than the file. Each is a clear error within bounded time and
/// memory: nothing is allocated for what a file only claims.
@Suite struct HostileFileTests {
    static func load(_ name: String, limits: PretrainedWeights.Limits = .standard) throws -> WeightFile {
        try PretrainedWeights.load(PretrainedWeightsTests.folder.appendingPathComponent(name), limits: limits)
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

    // Tensor records written by scripts/fixtures/tensor_records.py: a size the storage cannot hold, a broadcast
    // (stride 0) that every bounds check passes, and the largest broadcast a limit accepts.

    @Test func aTensorLargerThanItsStorageIsRefusedBeforeAllocating() {
        let error = Self.quickly { _ = try Self.load("huge_contiguous.pth") }
        #expect(
            "\(error!)".contains(
                "w: size [1000000, 1000000] with stride [1000000, 1] reads 1000000000000 elements from a storage of 4"),
            "\(error!)")
    }

    @Test func aBroadcastPastThePerTensorLimitIsRefusedNamingKeyShapeAndLimit() {
        let error = Self.quickly { _ = try Self.load("huge_broadcast.pth") }
        #expect(
            "\(error!)".contains(
                "w: size [1000000, 1000000] takes 4000000000000 bytes as Float32, over the limit of 1073741824 bytes "
                    + "per tensor"), "\(error!)")
    }

    /// 4096 x 4096 Float32 is 64 MiB: read under a 64 MiB limit, in a child process so that the high-water mark of
    /// its memory is this read's alone. One more row is refused.
    @Test func theLargestTensorTheLimitAcceptsIsReadWithinItsMemory() async throws {
        await #expect(processExitsWith: .success) {
            let limits = PretrainedWeights.Limits(bytesPerTensor: 64 << 20, bytesPerFile: 64 << 20)
            guard PeakMemory.reset(), let before = PeakMemory.residentBytes else { exit(1) }
            let tensor = try! Self.load("broadcast_64mib.pth", limits: limits).tensors["w"]!
            guard tensor.shape == [4096, 4096] else { exit(2) }
            let rows = tensor.withUnsafeBufferPointer { values in
                (0..<4096).allSatisfy { row in (0..<4096).allSatisfy { values[row * 4096 + $0] == Float($0) } }
            }
            guard rows else { exit(3) }  // every row is the storage's 4096 values
            guard let peak = PeakMemory.bytes, peak - before < (64 << 20) + (16 << 20) else { exit(4) }
        }
        let tighter = PretrainedWeights.Limits(bytesPerTensor: (64 << 20) - 1, bytesPerFile: 64 << 20)
        #expect(throws: DataError.self) { try Self.load("broadcast_64mib.pth", limits: tighter) }
    }

    @Test func theFileLimitCountsEveryTensor() throws {
        let perTensor = 40 << 20  // each of the two tensors is exactly 40 MiB
        let both = PretrainedWeights.Limits(bytesPerTensor: perTensor, bytesPerFile: 2 * perTensor)
        #expect(try Self.load("two_broadcasts.pth", limits: both).keys == ["a", "b"])
        let one = PretrainedWeights.Limits(bytesPerTensor: perTensor, bytesPerFile: 2 * perTensor - 1)
        // Not timed: the first 40 MiB tensor is read before the second is refused, seconds in a debug build.
        let error = Self.quickly(.seconds(60)) { _ = try Self.load("two_broadcasts.pth", limits: one) }
        #expect(
            "\(error!)".contains(
                "b: size [4096, 2560] takes 41943040 bytes as Float32, after 41943040 bytes of tensors before it: "
                    + "over the limit of 83886079 bytes per file"), "\(error!)")
    }

    /// The fuzzing seeds of tensor records are files the reader accepts (torch.load reads them alike), so that the
    /// fuzzer's mutations start inside `materialize`: an expanded tensor repeats its storage along its stride-0 axis.
    @Test(arguments: ["pth-zip", "pth-legacy"])
    func theTensorRecordSeedsAreAccepted(_ corpus: String) throws {
        let folder = PretrainedWeightsTests.folder.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/\(corpus)")
        let seeds = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix("seed-record-")
        }
        #expect(seeds.count == 9)
        for seed in seeds { _ = try PretrainedWeights.load(folder.appendingPathComponent(seed)) }
        let expanded = try PretrainedWeights.load(folder.appendingPathComponent("seed-record-expanded")).tensors
        #expect(
            expanded["e"]!.shape == [5, 3]
                && expanded["e"]!.scalars == Array(repeating: [0, 1, 2], count: 5).flatMap { $0 })
        #expect(expanded["s"]!.scalars == [2, 2, 2, 2])
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
