import Synchronization

/// Keeps the big buffers of freed tensors for the next tensor of the same size.
///
/// Why: the allocator hands big blocks straight back to the kernel when they are freed, so a fresh big block
/// costs one page fault, and a page cleared to zeros, per 4 KiB the first time it is written. A training step
/// frees and reallocates the same activation and gradient sizes every step: those faults were 12% of the time
/// of VGG16's forward pass at batch 8 (measured). Kept here instead, the pages stay mapped and are reused.
///
/// The rule that keeps memory in check: a request the cache cannot serve first frees cached blocks, oldest
/// first, until live plus cached bytes are back within the largest amount ever live at once, plus `slack` of
/// it. The slack is there because a training step's memory comes in sets that are never live together: in
/// VGG16's frozen-backbone step the backbone's activations, then the head's gradients (480 MB). Held to the
/// peak alone, the cache kept only one set and each step made the other again: 190,000 page faults, about
/// 130 ms a step (measured). `Tapegrad.releaseCachedMemory()` gives it all back now.
package final class MemoryCache: Sendable {
    /// The cache every tensor's storage uses.
    package static let shared = MemoryCache()

    /// Smaller blocks come from the allocator's own free lists, which cost no page faults.
    package static let smallestCachedBytes = 128 * 1024

    /// How much live plus cached memory may exceed the peak of live memory by, as a fraction of that peak.
    package let slack: Double

    /// A cached block belongs to the cache alone until `allocate` hands it out, so it may cross threads.
    private struct Block: @unchecked Sendable {
        let bytes: Int
        let pointer: UnsafeMutableRawPointer
    }

    /// Cached blocks, oldest first, and the bytes of the blocks handed out and not yet taken back.
    private struct State {
        var blocks: [Block] = []
        var cachedBytes = 0
        var liveBytes = 0
        var peakLiveBytes = 0
        /// The most live at once since `peakLiveBytes(during:)` started, while it runs.
        var measuredPeak: Int?
    }

    private let state = Mutex(State())

    package init(slack: Double = 0.5) { self.slack = slack }

    /// Memory for `bytes` bytes, 64-byte aligned (AVX-512 loads): a cached block of exactly that size if
    /// there is one, else fresh memory, after freeing the oldest cached blocks the rule asks for.
    package func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        guard bytes >= Self.smallestCachedBytes else {
            return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        }
        enum Outcome {
            case reused(UnsafeMutableRawPointer)
            case evicted(ArraySlice<Block>)
        }
        let outcome = state.withLock { state -> Outcome in
            state.liveBytes += bytes
            state.peakLiveBytes = max(state.peakLiveBytes, state.liveBytes)
            state.measuredPeak = state.measuredPeak.map { max($0, state.liveBytes) }
            if let i = state.blocks.lastIndex(where: { $0.bytes == bytes }) {
                state.cachedBytes -= bytes
                return .reused(state.blocks.remove(at: i).pointer)
            }
            let allowed = state.peakLiveBytes + Int(Double(state.peakLiveBytes) * slack)
            var evictions = 0
            while evictions < state.blocks.count && state.liveBytes + state.cachedBytes > allowed {
                state.cachedBytes -= state.blocks[evictions].bytes
                evictions += 1
            }
            defer { state.blocks.removeFirst(evictions) }
            return .evicted(state.blocks.prefix(evictions))
        }
        switch outcome {
        case .reused(let pointer):
            return pointer
        case .evicted(let oldest):
            for block in oldest { block.pointer.deallocate() }
            return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        }
    }

    /// Takes back memory from `allocate(bytes:)` when its tensor is gone.
    package func free(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= Self.smallestCachedBytes else { return pointer.deallocate() }
        state.withLock { state in
            state.liveBytes -= bytes
            state.cachedBytes += bytes
            state.blocks.append(Block(bytes: bytes, pointer: pointer))
        }
    }

    /// The most bytes live at once in blocks of `smallestCachedBytes` or more while `body` runs (the tensors of
    /// a model's activations and gradients; small ones are not counted), for measuring what a change saves.
    package func peakLiveBytes(during body: () -> Void) -> Int {
        state.withLock { $0.measuredPeak = $0.liveBytes }
        body()
        return state.withLock { state in
            defer { state.measuredPeak = nil }
            return state.measuredPeak ?? 0
        }
    }

    /// Bytes held for reuse.
    package var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// Frees every cached block.
    package func releaseAll() {
        let all = state.withLock { state in
            defer { (state.blocks, state.cachedBytes) = ([], 0) }
            return state.blocks
        }
        for block in all { block.pointer.deallocate() }
    }
}
