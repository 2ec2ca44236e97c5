import Autograd
import Foundation
import TestSupport
import Testing

@Suite struct TapeTests {
    @Test func aChainOf100000OpsBackpropagatesWithoutRecursion() {
        let x = Tensor([1])
        x.requiresGrad = true
        var y = x
        for _ in 0..<100_000 { y = y * 1.0001 + 0.0001 }
        y.sum().backward()
        // dy/dx = m^100000 for m = 1.0001 rounded to Float; Float32 rounding over 100k steps stays within 1e-3 relative.
        let expected = Foundation.pow(Double(Float(1.0001)), 100_000.0)
        #expect(Swift.abs(Double(x.grad!.item) - expected) / expected < 1e-3)
    }

    @Test func aDeepGraphThatIsNeverDifferentiatedIsFreedWithoutRecursion() {
        weak var first: Tensor?
        do {
            let x = Tensor([1])
            x.requiresGrad = true
            var y = exp(x)
            first = y
            // add_scalar's pullback holds nothing; mul's holds its inputs, which must not make freeing recursive.
            for _ in 0..<100_000 { y = (y + 1) * y }
        }
        #expect(first == nil)
    }

    @Test func aReusedInputGetsTheSumOfItsGradients() {
        let a = Tensor([1, -2, 3])
        a.requiresGrad = true
        let b = a + a
        let c = b * b  // c = 4a^2, dc/da = 8a
        c.sum().backward()
        #expect(a.grad!.scalars == [8, -16, 24])
    }

    @Test func gradientsAccumulateUntilZeroGrad() {
        let w = Tensor([2])
        w.requiresGrad = true
        (w * 3).sum().backward()
        (w * 3).sum().backward()
        #expect(w.grad!.scalars == [6])
        w.zeroGrad()
        (w * w).sum().backward()
        #expect(w.grad!.scalars == [4])
    }

    @Test func retainGraphAllowsASecondBackward() {
        let w = Tensor([1.5])
        w.requiresGrad = true
        let loss = (exp(w) * w).sum()
        loss.backward(retainGraph: true)
        let once = w.grad!.item
        loss.backward()
        #expect(w.grad!.item == 2 * once)
    }

    @Test func backwardReleasesTheTape() {
        let w = Tensor([1, 2, 3])
        w.requiresGrad = true
        let loss = (exp(w) * w).sum()
        #expect(Tape(of: loss).totalBytesKept > 0)
        loss.backward()
        #expect(Tape(of: loss).entries.count == 1, "only the loss's own, emptied entry remains")
        #expect(Tape(of: loss).totalBytesKept == 0)
    }

    @Test func aSecondBackwardWithoutRetainGraphStopsWithAnExplanation() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor([1])
            w.requiresGrad = true
            let loss = (w * w).sum()
            loss.backward()
            loss.backward()
        }
        let message = standardError(of: result)
        #expect(message.contains("already freed") && message.contains("retainGraph: true"))
    }

    @Test func shapeErrorsNameTheOpAndBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
        }
        let message = standardError(of: result)
        #expect(message.contains("matmul: [2, 3] x [4, 5]: inner dimensions 3 and 4 differ"))
        let broadcast = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        let broadcastMessage = standardError(of: broadcast)
        #expect(broadcastMessage.contains("add: shapes [2, 3] and [4] cannot be broadcast"))
    }

    @Test func retainGradKeepsTheSummedGradientOfAnOpsResult() {
        let x = Tensor([1, -2, 3])
        x.requiresGrad = true
        let y = x * x
        y.retainGrad()
        // y feeds two ops, so its gradient is the sum of both uses: 3 + 2 y.
        let loss = (y * 3).sum() + (y * y).sum()
        loss.backward()
        #expect(y.grad?.scalars == [5, 11, 21])
        #expect(x.grad?.scalars == [10, -44, 126], "x's own gradient is unchanged: (3 + 2 x^2) 2 x")
        let z = x * 2
        z.sum().backward()
        #expect(z.grad == nil, "without retainGrad an op's result keeps no gradient")
    }

    @Test func detachedAndNoGradStopGradients() {
        let w = Tensor([2])
        w.requiresGrad = true
        let stopped = withNoGrad { withNoGrad { w * 3 } + w }
        #expect(stopped.isLeaf && !stopped.requiresGrad)
        #expect(isGradEnabled)
        let y = w * w.detached()  // d/dw = w.detached() only
        y.sum().backward()
        #expect(w.grad!.scalars == [2])
    }

    @Test func noGradOnOneThreadDoesNotAffectAnother() async {
        let inside = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            withNoGrad {
                inside.signal()
                done.wait()
            }
        }
        inside.wait()
        let w = Tensor([1])
        w.requiresGrad = true
        let y = w * 2
        done.signal()
        #expect(!y.isLeaf, "this thread still records while another is inside withNoGrad")
    }

    @Test func tapeViewListsEntriesInOrderWithShapesAndBytes() {
        let x = Tensor.ones([2, 3])
        x.name = "x"
        let w = Tensor.ones([3])
        w.name = "w"
        w.requiresGrad = true
        let loss = exp(x * w).sum()
        let tape = Tape(of: loss)
        #expect(tape.entries.map(\.op) == ["mul", "exp", "sum"])
        #expect(tape.entries[0].inputShapes == [[2, 3], [3]])
        #expect(tape.entries[1].bytesKept == 24, "exp keeps its 6-value result")
        #expect(tape.totalBytesKept == 24 + 12 + 24, "mul keeps x (24 B) and w (12 B)")
        #expect(
            tape.parameterBytesKept == 12 && tape.activationBytesKept == 48,
            "w is a parameter; x and exp's result are not")
        let table = tape.description
        #expect(table.contains("exp") && table.contains("[2,3]") && table.contains("3 entries"))
        #expect(tape.mermaid.hasPrefix("flowchart LR"))
        #expect(tape.mermaid.contains("x [2,3]") && tape.mermaid.contains("op1 --> op2"))
        #expect(tape.dot.contains("digraph tape") && tape.dot.contains("op2 -> op3;"))
    }

    @Test func memoryStaysFlatOver1000TrainingSteps() async {
        // In a child process: other tests running in parallel would move this process's RSS.
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            var generator = SeededGenerator(seed: 7)
            let w1 = Tensor.normal([64, 32], std: 0.1, using: &generator)
            let w2 = Tensor.normal([32, 10], std: 0.1, using: &generator)
            for w in [w1, w2] { w.requiresGrad = true }
            let x = Tensor.uniform([16, 64], using: &generator)
            let labels = (0..<16).map { $0 % 10 }
            weak var lastHidden: Tensor?
            var rssAfterWarmUp = 0
            for step in 0..<1000 {
                let hidden = relu(matmul(x, w1))
                lastHidden = hidden
                crossEntropy(matmul(hidden, w2), labels: labels).backward()
                for w in [w1, w2] {
                    let grad = w.grad!.scalars
                    w.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] -= 0.1 * grad[i] } }
                    w.zeroGrad()
                }
                if step == 100 { rssAfterWarmUp = residentBytes() }
            }
            let growth = residentBytes() - rssAfterWarmUp
            if lastHidden != nil || growth > 1 << 20 {
                FileHandle.standardError.write(
                    "RSS grew \(growth) bytes over 900 steps; last step's hidden alive: \(lastHidden != nil)\n".data(
                        using: .utf8)!)
                exit(1)
            }
        }
        #expect(standardError(of: result).isEmpty, "\(standardError(of: result))")
    }
}
