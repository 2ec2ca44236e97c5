import Foundation
import ReaderFuzzing

// libFuzzer calls these two by name. The reader to fuzz comes from the environment, because libFuzzer owns the
// command line: TAPEGRAD_FUZZ_READER=png .build/release/TapegradFuzz corpus/ -max_total_time=60

/// The reader every input goes to, chosen once before the first input.
nonisolated(unsafe) var reader: ReaderTarget?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>)
    -> Int32
{
    let name = ProcessInfo.processInfo.environment["TAPEGRAD_FUZZ_READER"] ?? ""
    guard let target = ReaderTarget(rawValue: name) else {
        let names = ReaderTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("set TAPEGRAD_FUZZ_READER to one of: \(names)\n".utf8))
        exit(2)
    }
    reader = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    reader!.read(size == 0 ? Data() : Data(bytes: data!, count: size))
    return 0
}
