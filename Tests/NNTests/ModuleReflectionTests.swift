import Autograd
import NN
import Testing

/// What reflection finds in a custom module: every shape of container PyTorch has, and a clear stop for the rest.
@Suite struct ModuleReflectionTests {
    static func parameter(_ shape: [Int]) -> Tensor {
        let tensor = Tensor.ones(shape)
        tensor.requiresGrad = true
        return tensor
    }

    final class Mixture: Module {
        let scales: [Tensor] = [ModuleReflectionTests.parameter([2]), ModuleReflectionTests.parameter([3])]
        let heads: [String: Module] = ["cat": Linear(2, 1), "ant": Linear(2, 1)]
        let offsets: [String: Tensor] = [
            "b": ModuleReflectionTests.parameter([1]), "a": ModuleReflectionTests.parameter([1]),
        ]
        let name = "not a tensor"
        let sizes = [1, 2, 3]
        let maybe: [Tensor]? = [ModuleReflectionTests.parameter([4])]
    }

    @Test func listsAndDictsOfTensorsAndModulesGetPyTorchsKeys() {
        let keys = Mixture().namedParameters().map(\.key)
        #expect(
            keys == [
                "scales.0", "scales.1", "offsets.a", "offsets.b", "maybe.0", "heads.ant.weight", "heads.ant.bias",
                "heads.cat.weight", "heads.cat.bias",
            ])
        #expect(Mixture().stateDict().count == 9)
    }

    final class Hidden: Module {
        let pair = (ModuleReflectionTests.parameter([2]), ModuleReflectionTests.parameter([2]))
    }

    final class Nested: Module {
        let grid: [[Tensor]] = [[ModuleReflectionTests.parameter([2])]]
    }

    @Test func tensorsInAShapeReflectionCannotReadStopWithThePropertysName() async {
        let pair = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Hidden().parameters()
        }
        let pairMessage = String(decoding: pair?.standardErrorContent ?? [], as: UTF8.self)
        #expect(pairMessage.contains("Hidden.pair holds tensors"), "\(pairMessage)")
        let nested = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Nested().parameters()
        }
        let nestedMessage = String(decoding: nested?.standardErrorContent ?? [], as: UTF8.self)
        #expect(
            nestedMessage.contains("Nested.grid holds tensors or modules in a Array<Array<Tensor>>"), "\(nestedMessage)"
        )
    }
}

/// `summary` looks at a model without changing it.
@Suite struct SummaryLeavesTheModelAloneTests {
    /// Records the mode it runs in: Dropout draws random numbers only in training mode. (Checking the global
    /// generator's state instead would race with other tests drawing from it at the same time.)
    final class ModeProbe: Module {
        var ranInTraining: [Bool] = []
        override func forward(_ input: Tensor) -> Tensor {
            ranInTraining.append(isTraining)
            return input
        }
    }

    @Test func summaryInTrainingModeChangesNoStateAndDrawsNoRandomNumbers() {
        let probe = ModeProbe()
        let model = Sequential {
            Linear(4, 3)
            BatchNorm1d(3)
            Dropout(probability: 0.5)
            probe
            Linear(3, 2)
        }
        model.train()
        model[1].eval()  // a mixed model: each module keeps its own mode
        let before = model.stateDict()
        let table = model.summary(inputShape: [1, 4])  // batch of one: would crash BatchNorm in training mode
        #expect(table.contains("BatchNorm1d(3)"))
        for (key, tensor) in model.stateDict() {
            #expect(tensor.scalars == before[key]!.scalars, "\(key) changed")
        }
        #expect(probe.ranInTraining == [false], "summary ran the model in training mode: dropout would draw")
        #expect(model.isTraining && !model[1].isTraining && model[2].isTraining && probe.isTraining)
    }
}

/// `summary` and anomaly detection both watch every op: nested, neither displaces the other.
@Suite struct NestedOpWatchersTests {
    /// A container whose own ops (outside its layer) end in the log of a negative number.
    final class NegativeLog: Module {
        let linear = Linear(2, 2)
        override func forward(_ input: Tensor) -> Tensor { log(linear(input) * 0 - 1) }
    }

    @Test func aSummaryInsideAnomalyDetectionKeepsBothWatchers() throws {
        var table = ""
        let anomaly = try #require(
            throws: Anomaly.self,
            "the detector still sees the NaN that log makes"
        ) {
            try withAnomalyDetection { table = NegativeLog().summary(inputShape: [1, 2]) }
        }
        #expect(anomaly.op == "log", "\(anomaly)")
        #expect(table.contains("log"), "summary lists the container's own ops:\n\(table)")
    }
}
