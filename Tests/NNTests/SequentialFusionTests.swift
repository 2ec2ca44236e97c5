import Autograd
import NN
import TestSupport
import Testing

/// `Sequential` runs a Conv2d followed by a ReLU as one fused op: nothing a user can see changes.
@Suite struct SequentialFusionTests {
    static func makeModel() -> Sequential {
        Random.seed(5)
        return Sequential {
            Conv2d(2, 4, kernelSize: 3, padding: 1)
            ReLU()
            Conv2d(4, 4, kernelSize: 3, stride: 2)
            ReLU()
            ReLU()
            Conv2d(4, 3, kernelSize: 1)
        }
    }

    @Test func valuesAndGradientsEqualTheLayersOneByOne() {
        let model = Self.makeModel()
        var generator = SeededGenerator(seed: 9)
        let x = Tensor.uniform([2, 2, 9, 9], low: -1, high: 1, using: &generator)
        func run(_ forward: (Tensor) -> Tensor) -> ([Float], [[Float]]) {
            for p in model.parameters() { p.grad = nil }
            let y = forward(x)
            (y * y).sum().backward()
            return (y.scalars, model.parameters().map { $0.grad!.scalars })
        }
        let fused = run { model($0) }
        let oneByOne = run { x in model.layers.reduce(x) { $1($0) } }
        let (sameOutput, sameGradients) = (fused.0 == oneByOne.0, fused.1 == oneByOne.1)
        #expect(sameOutput, "outputs differ")
        #expect(sameGradients, "parameter gradients differ")
    }

    @Test func summaryStillListsEveryReLU() {
        let table = Self.makeModel().summary(inputShape: [1, 2, 9, 9])
        let reluRows = table.split(separator: "\n").filter { $0.contains("ReLU") }
        #expect(reluRows.count == 3)
        #expect(reluRows.first?.contains("[1, 4, 9, 9]") == true && reluRows.last?.contains("[1, 4, 4, 4]") == true)
    }
}
