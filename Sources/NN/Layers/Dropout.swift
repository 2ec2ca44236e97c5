import Autograd

/// In training, zeroes each value with probability `probability` and scales the rest by 1 / (1 - p);
/// in evaluation, passes values through. In a data loader's loop each row's mask comes from its example's own
/// generator (`ExampleDraws`), so it is the same at any batch size; elsewhere from the shared one (`Random.seed`).
public final class Dropout: Module {
    public let probability: Float

    public init(probability: Float = 0.5) {
        check(probability >= 0 && probability < 1, "Dropout: probability \(probability) is outside [0, 1)")
        self.probability = probability
    }

    public override func forward(_ input: Tensor) -> Tensor {
        guard isTraining else { return input }
        if var rows = Random.rowGenerators(rows: input.shape.first ?? 0) {
            return input.dropout(probability: probability, rows: &rows)
        }
        return Random.withGenerator { input.dropout(probability: probability, using: &$0) }
    }

    public override var summaryDescription: String { "Dropout(p: \(probability))" }
}
