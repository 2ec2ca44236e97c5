import Autograd
import Testing

@Suite struct AnomalyDetectionTests {
    @Test func namesTheFirstOpWhoseValueIsNotFinite() {
        let x = Tensor([1, -1, 2])
        x.requiresGrad = true
        #expect {
            try withAnomalyDetection { _ = exp(log(x) * 2) }  // log(-1) is NaN, and so is everything after it
        } throws: { error in
            guard let anomaly = error as? Anomaly else { return false }
            return anomaly.phase == .forward && anomaly.op == "log" && anomaly.element == [1]
                && anomaly.description.contains(
                    "anomaly in forward: `log` (inputs [3], output [3]) produced nan at [1]")
        }
    }

    @Test func namesThePullbackThatMadeAnInfiniteGradient() {
        let x = Tensor([0, 4])
        x.requiresGrad = true
        #expect {
            try withAnomalyDetection { sqrt(x).sum().backward() }  // sqrt is finite at 0; its slope is not
        } throws: { error in
            guard let anomaly = error as? Anomaly else { return false }
            return anomaly.phase == .backward && anomaly.op == "sqrt" && anomaly.inputIndex == 0
                && anomaly.element == [0]
        }
    }

    @Test func returnsTheResultWhenEverythingIsFinite() throws {
        let x = Tensor([1, 2])
        x.requiresGrad = true
        let y = try withAnomalyDetection { () -> Tensor in
            let y = (x * x).sum()
            y.backward()
            return y
        }
        #expect(y.item == 5 && x.grad!.scalars == [2, 4])
        _ = log(Tensor([-1]))  // outside the block nothing is checked
    }
}
