import Autograd
import NN
import Testing

@Suite struct PoolingLayerTests {
    /// `AdaptiveAvgPool2d(outputSize: 1)`: one average per channel, as a global average pool computes it.
    @Test func aSquareOutputSizeOfOneIsGlobalAveragePooling() {
        var generator = SeededGenerator(seed: 4)
        let x = Tensor.uniform([2, 3, 5, 4], using: &generator)
        let pooled = AdaptiveAvgPool2d(outputSize: 1)(x)
        #expect(pooled.shape == [2, 3, 1, 1])
        let means = x.mean(alongAxes: [2, 3]).scalars
        for (ours, mean) in zip(pooled.scalars, means) { #expect(Swift.abs(ours - mean) < 1e-6) }
        #expect(AdaptiveAvgPool2d(outputSize: 7).outputSize == (7, 7))
    }
}
