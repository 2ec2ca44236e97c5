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

    /// `GlobalAveragePool2d`: the channel means as [N, C], equal to adaptive pooling to 1x1 then flattening, and
    /// its gradient spreads each channel's evenly over its pixels.
    @Test func globalAveragePoolingGivesEachChannelsMeanAndSpreadsItsGradient() {
        var generator = SeededGenerator(seed: 5)
        let x = Tensor.uniform([2, 3, 5, 4], using: &generator)
        x.requiresGrad = true
        let pooled = GlobalAveragePool2d()(x)
        #expect(pooled.shape == [2, 3])
        let reference = Flatten()(AdaptiveAvgPool2d(outputSize: 1)(x)).scalars
        for (ours, theirs) in zip(pooled.scalars, reference) { #expect(Swift.abs(ours - theirs) < 1e-6) }
        pooled.sum().backward()
        #expect(x.grad!.scalars.allSatisfy { Swift.abs($0 - 1.0 / 20) < 1e-7 })
    }
}
