import Autograd
import NN
import TestSupport
import Testing

/// The traps users fall into when freezing (PyTorch's and Keras's issue trackers are full of them), one test each.
@Suite struct FreezingTests {
    static func batch() -> (Tensor, [Int]) {
        var generator = SeededGenerator(seed: 3)
        return (Tensor.uniform([6, 1, 8, 8], using: &generator), [0, 1, 2, 0, 1, 2])
    }

    static func trainStep(_ model: Module, _ optimizer: Optimizer) {
        let (x, labels) = batch()
        optimizer.zeroGrad()
        crossEntropy(model(x), labels: labels).backward()
        optimizer.step()
    }

    @Test func frozenParametersStayBitIdenticalAndTrainableOnesMove() {
        Random.seed(1)
        let model = TrainingFixture.makeModel()
        model.freeze { $0.hasPrefix("0.") || $0.hasPrefix("1.") || $0.hasPrefix("4.") }
        let before = model.stateDict()
        Self.trainStep(model, SGD(model.parameters(), learningRate: 0.1, momentum: 0.9, weightDecay: 0.01))
        for (key, tensor) in model.namedParameters() {
            let frozen = key.hasPrefix("0.") || key.hasPrefix("1.") || key.hasPrefix("4.")
            #expect((tensor.scalars == before[key]!.scalars) == frozen, "\(key) frozen: \(frozen)")
        }
    }

    @Test func frozenBatchNormKeepsItsRunningStatisticsInTrainingMode() {
        Random.seed(2)
        let model = TrainingFixture.makeModel()
        model.train()
        model.freeze { $0.hasPrefix("1.") }
        let before = model.stateDict()
        Self.trainStep(model, SGD(model.parameters(), learningRate: 0.1))
        for key in ["1.running_mean", "1.running_var", "1.num_batches_tracked"] {
            #expect(model.stateDict()[key]!.scalars == before[key]!.scalars, "\(key) moved")
        }
        model.unfreeze()
        Self.trainStep(model, SGD(model.parameters(), learningRate: 0.1))
        #expect(model.stateDict()["1.running_mean"]!.scalars != before["1.running_mean"]!.scalars)
        #expect(model.stateDict()["1.num_batches_tracked"]!.item == 1)
    }

    @Test func weightDecaySkipsFrozenParametersEvenWithoutGradientFlowingElsewhere() {
        Random.seed(3)
        let layer = Linear(4, 2)
        let optimizer = AdamW(layer.parameters(), learningRate: 0.1, weightDecay: 0.5)
        layer.freeze { $0 == "weight" }
        let weight = layer.weight.scalars
        let x = Tensor.ones([3, 4])
        layer(x).sum().backward()
        optimizer.step()
        #expect(layer.weight.scalars == weight, "decoupled weight decay must not shrink a frozen weight")
        #expect(layer.bias!.grad != nil)
    }

    @Test func anOptimizerMadeBeforeFreezeRespectsIt() {
        Random.seed(4)
        let model = TrainingFixture.makeModel()
        let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
        Self.trainStep(model, optimizer)  // momentum buffers now exist for every parameter
        model.freeze { !$0.hasPrefix("10.") }
        let before = model.stateDict()
        Self.trainStep(model, optimizer)
        for (key, tensor) in model.namedParameters() {
            #expect((tensor.scalars != before[key]!.scalars) == key.hasPrefix("10."), "\(key)")
        }
        #expect(model.trainableParameters().count == 2)
    }

    @Test func summaryShowsShapesCountsAndFrozenState() {
        let model = TrainingFixture.makeModel()
        model.freeze { $0.hasPrefix("0.") }
        let table = model.summary(inputShape: [1, 1, 8, 8])
        #expect(table.contains("Conv2d(1, 4, kernel: 3x3, padding: 1)"))
        #expect(table.contains("[1, 4, 8, 8]") && table.contains("[1, 3]"))
        #expect(table.contains("frozen") && table.contains("trainable"))
        #expect(table.contains("Total parameters: 919 (3.6 KiB)"), "36 + 8 + 296 + 528 + 51, as PyTorch counts")
        #expect(table.contains("Frozen: 36"), "conv 0 has 4*1*3*3 = 36 weights and no bias")
    }
    /// Fine-tuning hands the unfrozen layers to the head's optimizer: the head's parameters go on exactly as if
    /// nothing had been added (a restarted Adam would move each by the full rate again), the new group trains at
    /// its own rate from its first step.
    @Test func addingAParameterGroupKeepsTheMomentsTheOptimizerHad() {
        func parameter(_ values: [Float]) -> Tensor {
            let tensor = Tensor(values)
            tensor.requiresGrad = true
            return tensor
        }
        let (head, backbone, alone) = (parameter([1, -2, 3]), parameter([4, 5]), parameter([1, -2, 3]))
        let (grown, plain) = (Adam([head], learningRate: 0.1), Adam([alone], learningRate: 0.1))
        func step(_ optimizer: Optimizer, _ parameters: [Tensor]) {
            optimizer.zeroGrad()
            parameters.map { ($0 * $0 * $0).sum() }.reduce(Tensor(scalar: 0), +).backward()
            optimizer.step()
        }
        for _ in 0..<3 {
            step(grown, [head])
            step(plain, [alone])
        }
        grown.addParameterGroup(ParameterGroup([backbone], learningRate: 0.01))
        for _ in 0..<2 {
            step(grown, [head, backbone])
            step(plain, [alone])
        }
        #expect(head.scalars == alone.scalars, "the head's moments were kept")
        // A fresh Adam's first steps are the rate times the gradient's sign: 2 steps of 0.01 downhill.
        #expect(zip(backbone.scalars, [4, 5]).allSatisfy { abs(($1 - $0) - 0.02) < 1e-4 }, "\(backbone.scalars)")
    }

    @Test func aParameterCannotJoinTwoGroups() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let weight = Tensor([1])
            weight.requiresGrad = true
            Adam([weight]).addParameterGroup(ParameterGroup([weight], learningRate: 0.1))
        }
        #expect(standardError(of: result).contains("a parameter is already in one of the optimizer's groups"))
    }
}
