import Synchronization

/// Keeps the big buffers of freed tensors for the next tensor of the same size.
///
/// Why: the allocator hands big blocks straight back to the kernel when they are freed, so a fresh big block
/// costs one page fault, and a page cleared to zeros, per 4 KiB the first time it is written. A training step
/// frees and reallocates the same activation and gradient sizes every step: those faults were 12% of the time
/// of VGG16's forward pass at batch 8 (measured). Kept here instead, the pages stay mapped and are reused.
///
/// The rule that keeps memory in check: a request the cache cannot serve first frees cached blocks, oldest
/// first, until as many bytes as it asks for are gone (or the cache is empty). So the memory held, live plus
/// cached, never grows past the largest amount ever live at once: the cache only delays giving memory back.
/// `Tapegrad.releaseCachedMemory()` gives it all back now.
final class MemoryCache: Sendable {
    /// The cache every tensor's storage uses.
    static let shared = MemoryCache()

    /// Smaller blocks come from the allocator's own free lists, which cost no page faults.
    static let smallestCachedBytes = 128 * 1024

    /// A cached block belongs to the cache alone until `allocate` hands it out, so it may cross threads.
    private struct Block: @unchecked Sendable {
        let bytes: Int
        let pointer: UnsafeMutableRawPointer
    }

    /// Cached blocks, oldest first.
    private let blocks = Mutex<[Block]>([])

    /// Memory for `bytes` bytes, 64-byte aligned (AVX-512 loads): a cached block of exactly that size if
    /// there is one, else fresh memory, after freeing as many cached bytes as it asks for.
    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        guard bytes >= Self.smallestCachedBytes else {
            return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        }
        enum Outcome {
            case reused(UnsafeMutableRawPointer)
            case evicted([Block])
        }
        let outcome = blocks.withLock { blocks -> Outcome in
            if let i = blocks.lastIndex(where: { $0.bytes == bytes }) { return .reused(blocks.remove(at: i).pointer) }
            var freed = 0
            let oldest = blocks.prefix { block in
                defer { freed += block.bytes }
                return freed < bytes
            }
            blocks.removeFirst(oldest.count)
            return .evicted(Array(oldest))
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
    func free(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= Self.smallestCachedBytes else { return pointer.deallocate() }
        blocks.withLock { $0.append(Block(bytes: bytes, pointer: pointer)) }
    }

    /// Bytes held for reuse.
    var cachedBytes: Int { blocks.withLock { $0.reduce(0) { $0 + $1.bytes } } }

    /// Frees every cached block.
    func releaseAll() {
        let all = blocks.withLock { blocks in
            defer { blocks = [] }
            return blocks
        }
        for block in all { block.pointer.deallocate() }
    }
}
