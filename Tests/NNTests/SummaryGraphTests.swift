import Autograd
import NN
import Testing

/// `summary` shows the ops a module runs itself: a residual block's `+` and its functional ReLU are rows, so
/// the skip connection can be seen.
@Suite struct SummaryGraphTests {
    final class ResidualBlock: Module {
        let conv1 = Conv2d(4, 4, kernelSize: 3, padding: 1)
        let conv2 = Conv2d(4, 4, kernelSize: 3, padding: 1)
        override func forward(_ x: Tensor) -> Tensor { relu(conv2(relu(conv1(x))) + x) }
    }

    @Test func aResidualBlocksAdditionAndFunctionalReLUsHaveRows() {
        let model = Sequential {
            Conv2d(1, 4, kernelSize: 3, padding: 1)
            ResidualBlock()
            Flatten()
        }
        let table = model.summary(inputShape: [1, 1, 6, 6])
        let rows = table.split(separator: "\n").map(String.init)
        func row(_ text: String) -> Int? { rows.firstIndex { $0.contains(text) } }
        let (conv1, firstReLU, conv2, add, lastReLU) = (
            row("1.conv1"), row("relu([1, 4, 6, 6])"), row("1.conv2"), row("add([1, 4, 6, 6] + [1, 4, 6, 6])"),
            rows.lastIndex { $0.contains("relu([1, 4, 6, 6])") }
        )
        #expect(
            [conv1, firstReLU, conv2, add, lastReLU].allSatisfy { $0 != nil }, "rows for every step:\n\(table)")
        #expect(
            [conv1!, firstReLU!, conv2!, add!, lastReLU!] == [conv1!, firstReLU!, conv2!, add!, lastReLU!].sorted())
        #expect(rows[add!].hasPrefix("1 "), "the block's path names the op's row:\n\(table)")
        #expect(!table.contains("conv2d("), "a layer's own op is the layer's row, not one of its own")
        #expect(table.contains("Total parameters: 336"))
    }
}
