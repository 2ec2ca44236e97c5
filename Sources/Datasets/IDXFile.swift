import Autograd
/// The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type byte (0x08: unsigned bytes), the number of
/// dimensions, each dimension as a big-endian UInt32, then the values row-major.
package struct IDXFile {
    let dimensions: [Int]
    let values: ArraySlice<UInt8>

    package init(bytes: [UInt8], path: String) throws {
        func malformed(_ reason: String) -> DataError { .malformed(path: path, reason: "IDX: \(reason)") }
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw malformed("does not start with an IDX header")
        }
        guard bytes[2] == 0x08 else {
            throw malformed("element type 0x\(String(bytes[2], radix: 16)) is not unsigned bytes")
        }
        let rank = Int(bytes[3])
        guard rank >= 1, rank <= 4, bytes.count >= 4 + 4 * rank else {
            throw malformed("header declares \(rank) dimensions")
        }
        dimensions = (0..<rank).map { d in
            (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * d + $1]) }
        }
        let start = 4 + 4 * rank
        // Four dimensions of up to 2^32 each overflow an Int: count with overflow checks.
        let (count, overflow) = dimensions.reduce((1, false)) { total, size in
            let (product, overflow) = total.0.multipliedReportingOverflow(by: size)
            return (product, total.1 || overflow)
        }
        guard !overflow, bytes.count - start == count else {
            throw malformed("header declares \(dimensions) = \(count) values, the file holds \(bytes.count - start)")
        }
        values = bytes[start...]
    }
}
