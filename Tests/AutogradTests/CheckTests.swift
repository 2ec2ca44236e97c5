import Autograd
import Foundation
import TestSupport
import Testing

/// A failed check stops the program with its message, and what the program printed before is not lost.
@Suite struct CheckTests {
    /// Standard output to a pipe is buffered: without a flush, the lines before a trap vanish.
    @Test func whatWasPrintedBeforeAFailedCheckReachesAPipe() async {
        let result = await #expect(
            processExitsWith: .failure, observing: [\.standardOutputContent, \.standardErrorContent]
        ) {
            print("epoch 1 done, starting epoch 2")
            _ = Tensor.ones([2, 3]) + Tensor.ones([4])
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        #expect(output.contains("epoch 1 done, starting epoch 2"))
        #expect(standardError(of: result).contains("[2, 3]"))
    }
}
