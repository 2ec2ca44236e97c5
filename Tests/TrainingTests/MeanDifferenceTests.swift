import Testing
import Training

@Suite struct MeanDifferenceTests {
    @Test func aDifferenceIsAFindingOnlyBeyondTwiceItsStandardError() {
        // The standard error of the difference of means: sqrt(sd_a^2 / n_a + sd_b^2 / n_b).
        let clear = MeanDifference([0.80, 0.82, 0.84], [0.70, 0.71, 0.72])
        #expect(abs(clear.difference - 0.11) < 1e-12)
        #expect(abs(clear.standardError - (0.0004 / 3 + 0.0001 / 3).squareRoot()) < 1e-12)
        #expect(clear.verdict == .better)
        #expect(MeanDifference([0.70, 0.71, 0.72], [0.80, 0.82, 0.84]).verdict == .worse)
        #expect("\(clear)" == "+11.00 points ± 1.29 (standard error): better")
        // Step 7's old ImageNet-against-scratch tie at 10 per class: 0.05 points apart, spreads of 1.2 and 2.7.
        let tie = MeanDifference(
            [0.8195 - 0.0123, 0.8195, 0.8195 + 0.0123], [0.8190 - 0.0266, 0.8190, 0.8190 + 0.0266])
        #expect(tie.verdict == .noMeasurableDifference)
        // Spread 1 over three seeds against none: the standard error is 1 / sqrt(3), twice it 1.1547.
        let around = { (m: Double) in [m - 1, m, m + 1] }
        #expect(MeanDifference(around(1.16), [0, 0, 0]).verdict == .better)
        #expect(MeanDifference(around(1.15), [0, 0, 0]).verdict == .noMeasurableDifference)
        // One seed on either side has no spread: no verdict, whatever the gap.
        #expect(MeanDifference([0.99], [0.10, 0.11]).verdict == .tooFewRuns)
    }
}
