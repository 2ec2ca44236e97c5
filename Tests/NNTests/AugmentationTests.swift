import Autograd
@testable import Datasets
import Foundation
import NN
import TestSupport
import Testing

/// Augmentations change images as they promise, and mark themselves random so the feature cache refuses them.
@Suite(.serialized) struct AugmentationTests {
    @Test func aQuarterTurnMovesEveryPixelCounterClockwise() {
        // 3x3, values 0...8 row by row; a quarter turn counter-clockwise puts the top row in the left column.
        let image = Tensor(shape: [1, 3, 3], values: (0..<9).map(Float.init))
        let turned = ImageTransform.randomRotation(degrees: 90...90).apply(image)
        let expected: [Float] = [2, 5, 8, 1, 4, 7, 0, 3, 6]
        #expect(closeness(turned.scalars, expected, rtol: 0, atol: 1e-5) == nil, "\(turned.scalars)")
        // Half a turn of a non-square image; outside, the fill.
        let wide = Tensor(shape: [1, 2, 3], values: [1, 2, 3, 4, 5, 6])
        let flipped = ImageTransform.randomAffine(degrees: 180...180).apply(wide)
        #expect(closeness(flipped.scalars, [6, 5, 4, 3, 2, 1], rtol: 0, atol: 1e-5) == nil)
        let shifted = ImageTransform.affine(wide, angle: 0, scale: 1, shift: (1, 0), fill: -1)
        #expect(shifted.scalars == [-1, 1, 2, -1, 4, 5])
    }

    @Test func colourJitterScalesBrightnessAndSaturationAsPromised() {
        Random.seed(3)
        let image = Tensor(shape: [3, 1, 2], values: [0.2, 0.4, 0.1, 0.3, 0.05, 0.25])
        let brighter = ImageTransform.colorJitter(brightness: 0.5).apply(image)
        let ratios = zip(brighter.scalars, image.scalars).map { $0 / $1 }
        #expect(ratios.allSatisfy { Swift.abs($0 - ratios[0]) < 1e-5 } && (0.5...1.5).contains(ratios[0]))
        // Saturation 1 draws a factor in [0, 2]; whatever it is, each pixel's gray stays where it was.
        let saturated = ImageTransform.colorJitter(saturation: 1).apply(image)
        let (grayBefore, grayAfter) = (ImageTransform.grayscale.apply(image), ImageTransform.grayscale.apply(saturated))
        #expect(closeness(grayAfter.scalars, grayBefore.scalars, rtol: 0, atol: 1e-6) == nil)
        #expect(saturated.scalars != image.scalars)
        #expect(ImageTransform.colorJitter().apply(image).scalars == image.scalars, "no amounts, no change")
    }

    @Test func randomErasingBlanksOneRectangleOfTheAskedSize() {
        Random.seed(8)
        let image = Tensor.ones([2, 20, 30])
        for _ in 0..<20 {
            let erased = ImageTransform.randomErasing(probability: 1, scale: 0.1...0.2, value: 0).apply(image)
            let zeros = erased.scalars.indices.filter { erased.scalars[$0] == 0 }
            #expect(zeros.count % 2 == 0, "the same box in both channels")
            let perChannel = zeros.count / 2
            #expect((40...140).contains(perChannel), "about 10-20% of 600 pixels, rounded: \(perChannel)")
            let rows = Set(zeros.filter { $0 < 600 }.map { $0 / 30 }),
                columns = Set(zeros.filter { $0 < 600 }.map { $0 % 30 })
            #expect(rows.count * columns.count == perChannel, "one rectangle")
        }
        let kept = ImageTransform.randomErasing(probability: 0).apply(image)
        #expect(kept.scalars == image.scalars)
    }

    @Test func randomStepsMarkTheirCompositionRandom() {
        #expect(!ImageTransform.compose([.resize(shorterSide: 8), .grayscale]).isRandom)
        #expect(ImageTransform.compose([.resize(shorterSide: 8), .randomHorizontalFlip()]).isRandom)
        for transform in [
            ImageTransform.colorJitter(brightness: 0.1), .randomAffine(degrees: -5...5), .randomErasing(),
            .randomCrop(height: 2, width: 2), .randomResizedCrop(size: 4),
        ] {
            #expect(transform.isRandom, "\(transform.name)")
        }
    }
}
