import Foundation

/// A small, fast random number generator with a seed, so every run can be repeated exactly.
///
/// xoshiro256** (Blackman and Vigna), its state filled from the seed by SplitMix64 as its authors advise.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var stateWords: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        stateWords = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The generator's whole state, to save in a checkpoint and restore with `init(state:)`.
    public var state: [UInt64] { [stateWords.0, stateWords.1, stateWords.2, stateWords.3] }

    public init(state: [UInt64]) {
        precondition(state.count == 4, "SeededGenerator(state:) needs the 4 words `state` gave")
        stateWords = (state[0], state[1], state[2], state[3])
    }

    public mutating func next() -> UInt64 {
        let result = ((stateWords.1 &* 5) << 7 | (stateWords.1 &* 5) >> 57) &* 9
        let t = stateWords.1 << 17
        stateWords.2 ^= stateWords.0
        stateWords.3 ^= stateWords.1
        stateWords.1 ^= stateWords.2
        stateWords.0 ^= stateWords.3
        stateWords.2 ^= t
        stateWords.3 = stateWords.3 << 45 | stateWords.3 >> 19
        return result
    }

    /// A uniform Float in [0, 1), from the top 24 bits (all a Float's mantissa can hold).
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A standard normal value (Box-Muller).
    public mutating func nextNormal() -> Float {
        let u1 = Double(next() >> 11) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * log(1 - u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
