@testable import Autograd
import Foundation
import Kernels
import Testing

/// The cache of freed tensor memory: reuse of exact sizes, and the rule that it never holds more than was once
/// live, plus its slack.
@Suite struct MemoryCacheTests {
    let megabyte = 1 << 20

    @Test func freedBlockServesTheNextRequestOfItsSize() {
        let cache = MemoryCache()
        let first = cache.allocate(bytes: megabyte)
        cache.free(first, bytes: megabyte)
        #expect(cache.cachedBytes == megabyte)
        let second = cache.allocate(bytes: megabyte)
        #expect(second == first)
        #expect(cache.cachedBytes == 0)
        cache.free(second, bytes: megabyte)
        cache.releaseAll()
    }

    @Test func smallBlocksAreNotKept() {
        let cache = MemoryCache()
        let bytes = MemoryCache.smallestCachedBytes - 64
        cache.free(cache.allocate(bytes: bytes), bytes: bytes)
        #expect(cache.cachedBytes == 0)
    }

    @Test func aMissFreesTheOldestBlocksFirst() {
        let cache = MemoryCache(slack: 0)
        let (a, b, c) = (
            cache.allocate(bytes: megabyte), cache.allocate(bytes: megabyte), cache.allocate(bytes: 2 * megabyte)
        )
        cache.free(a, bytes: megabyte)
        cache.free(b, bytes: megabyte)
        cache.free(c, bytes: 2 * megabyte)
        // 1.5 MB of another size: a and b (2 MB, the oldest) go, c stays and is what a 2 MB request gets.
        let other = cache.allocate(bytes: 3 * megabyte / 2)
        #expect(cache.cachedBytes == 2 * megabyte)
        #expect(cache.allocate(bytes: 2 * megabyte) == c)
        cache.free(c, bytes: 2 * megabyte)
        cache.free(other, bytes: 3 * megabyte / 2)
        cache.releaseAll()
        #expect(cache.cachedBytes == 0)
    }

    @Test func aSmallMissWithinTheSlackKeepsTheBigBlocks() {
        let cache = MemoryCache(slack: 0.125)
        let big = cache.allocate(bytes: 8 * megabyte)
        cache.free(big, bytes: 8 * megabyte)
        let small = cache.allocate(bytes: megabyte / 4)
        #expect(cache.cachedBytes == 8 * megabyte)
        // One more megabyte would pass the slack (1 MB of the 8 MB peak): the big block goes.
        let another = cache.allocate(bytes: megabyte)
        #expect(cache.cachedBytes == 0)
        cache.free(small, bytes: megabyte / 4)
        cache.free(another, bytes: megabyte)
        cache.releaseAll()
    }

    /// Random allocations and frees of a few sizes: live plus cached bytes never exceed the most ever live at
    /// once plus the slack.
    @Test(arguments: [0, 0.5]) func heldMemoryNeverExceedsThePeakOfLiveMemory(slack: Double) {
        let cache = MemoryCache(slack: slack)
        var generator = SeededGenerator(seed: 7)
        let sizes = [1, 2, 3, 5, 8].map { $0 * 256 * 1024 }
        var live: [(UnsafeMutableRawPointer, Int)] = []
        var peakLive = 0
        for _ in 0..<2000 {
            if live.isEmpty || generator.next() % 2 == 0 {
                let bytes = sizes[Int(generator.next() % UInt64(sizes.count))]
                live.append((cache.allocate(bytes: bytes), bytes))
            } else {
                let (pointer, bytes) = live.remove(at: Int(generator.next() % UInt64(live.count)))
                cache.free(pointer, bytes: bytes)
            }
            let liveBytes = live.reduce(0) { $0 + $1.1 }
            peakLive = max(peakLive, liveBytes)
            #expect(liveBytes + cache.cachedBytes <= peakLive + Int(Double(peakLive) * slack))
        }
        for (pointer, bytes) in live { cache.free(pointer, bytes: bytes) }
        cache.releaseAll()
    }

    /// Reused memory holds the old tensor's values; every creator must still write all of its own.
    /// Kernels' scratch buffers and max pooling's winners come from the one allocator: reused without page
    /// faults, and the winners are counted by the tape view like every other tensor it keeps. In a child process:
    /// other suites share the cache and could take the block between the two calls.
    @Test func scratchBuffersAndPoolingWinnersUseTheOneAllocator() async {
        await #expect(processExitsWith: .success) {
            let values = 1 << 18  // 1 MiB: above the cache's smallest size
            let first = Scratch.withBuffer(count: values) { UnsafeMutableRawPointer($0) }
            guard Tapegrad.cachedMemoryBytes >= 4 * values else { exit(1) }  // the buffer went back to the cache
            let second = Scratch.withBuffer(count: values) { UnsafeMutableRawPointer($0) }
            guard first == second else { exit(2) }  // the next buffer of that size is the same memory
            let x = Tensor.uniform([2, 3, 8, 8])
            x.requiresGrad = true
            let pooled = x.maxPool2d(kernel: (2, 2))
            let entry = Tape(of: pooled.sum()).entries.first { $0.op == "max_pool2d" }!
            guard entry.bytesKept == 4 * pooled.count else { exit(3) }  // one Int32 position per output value
        }
    }

    @Test func zerosAreZeroInReusedMemory() {
        let count = 1 << 20
        _ = Tensor.full([count], 7)
        let zeros = Tensor.zeros([count])
        #expect(zeros.withUnsafeBufferPointer { $0.allSatisfy { $0 == 0 } })
    }
}
