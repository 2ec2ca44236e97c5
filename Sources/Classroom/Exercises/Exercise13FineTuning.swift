import Autograd
import ExerciseKit
import NN
import Transfer
import Zoo

/// Exercise 13. Fine-tuning: after the new head has trained on the frozen backbone, the last block trains too,
/// slowly, in the head's own optimizer. Its notebook: notebooks-md/06-transfer-learning.md.
public enum Exercise13FineTuning: Exercise {
    public static let title = "Fine-tuning the last block, at a tenth of the rate, in the head's optimizer"
    public static let teaches =
        "Fine-tuning unfreezes only the top of the backbone, moves it slowly, and lets the head keep its Adam moments."
    public static let nudges = [
        "a TransferModel knows its backbone's blocks, bottom to top, and has a method that unfreezes the last ones",
        "an optimizer can take on more parameters, with a learning rate of their own, and keep what it learnt about "
            + "the ones it had (PyTorch's add_param_group)",
    ]

    /// `model`'s new head has trained on its frozen backbone with `headOptimizer`, an Adam at `headRate`. Return
    /// the optimizer that fine-tunes: the backbone's last block trains too, at a tenth of `headRate`, and the
    /// head goes on with the moments its Adam has gathered.
    public static func fineTuningOptimizer(for model: VGG, headOptimizer: Adam, headRate: Float) -> Optimizer {
        #if REFERENCE
            model.unfreezeLastBlocks(1)
            headOptimizer.addParameterGroup(
                ParameterGroup(model.trainableBackboneParameters, learningRate: headRate / 10))
            return headOptimizer
        #else
            // Your code here.
            return headOptimizer
        #endif
    }

    // MARK: The check

    public static func check() -> Verdict { grade(fineTuningOptimizer) }

    /// Grades a way to start fine-tuning: a small VGG's head trains two steps on its frozen backbone, the solution
    /// makes the optimizer, and one fine-tuning step follows. Every block but the last must stay bit for bit, the
    /// last must move by Adam's first step at a tenth of the rate, and the head must go on with its moments.
    public static func grade(_ solution: (VGG, Adam, Float) -> Optimizer) -> Verdict {
        Random.seed(13)
        let model = VGG.small(classes: 5)
        model.freezeFeatures()
        let rate: Float = 0.01
        let headOptimizer = Adam(model.head.parameters(), learningRate: rate)
        let (images, labels) = (Tensor.normal([4, 1, 28, 28]), [0, 1, 2, 3])
        model.train()
        func trainingStep(_ optimizer: Optimizer) {
            optimizer.zeroGrad()
            crossEntropy(model(images), labels: labels).backward()
            optimizer.step()
        }
        for _ in 0..<2 { trainingStep(headOptimizer) }
        let headState = headOptimizer.stateDict()
        let headPositions = model.head.parameters().map { parameter in
            headOptimizer.groups.flatMap(\.parameters).firstIndex { $0 === parameter }!
        }
        let before = model.stateDict().mapValues(\.scalars)

        let optimizer = solution(model, headOptimizer, rate)
        let parameters = optimizer.groups.flatMap(\.parameters)
        let state = optimizer.stateDict()
        let formula =
            "unfreeze the last block (unfreezeLastBlocks(1)), hand its trainable parameters to the head's optimizer "
            + "as one more ParameterGroup at headRate / 10 (addParameterGroup), and return that optimizer"
        for (parameter, position) in zip(model.head.parameters(), headPositions) {
            guard let index = parameters.firstIndex(where: { $0 === parameter }) else {
                return .fail(
                    "a head parameter is not in the optimizer you returned: the head would stop", hint: formula)
            }
            guard state["\(index).0"]?.scalars == headState["\(position).0"]!.scalars,
                state["\(index).steps"]?.item == headState["\(position).steps"]!.item
            else {
                return .fail(
                    "the head's Adam moments are gone: a fresh optimizer's first steps move every head weight by the "
                        + "full rate, whatever its gradient (step 8 measures the jump)", hint: formula)
            }
        }
        trainingStep(optimizer)

        let blocks = model.backboneBlocks
        let moved = { (key: String) in model.stateDict()[key]!.scalars != before[key]! }
        for block in blocks.dropLast() {
            for key in before.keys.sorted() where block.contains(where: key.hasPrefix) && moved(key) {
                return .fail("\(key) moved: only the last block fine-tunes, the ones below stay frozen", hint: formula)
            }
        }
        let lastWeights = model.backboneParameters.filter { parameter in
            blocks.last!.contains(where: parameter.key.hasPrefix)
        }
        // Adam's first step moves a weight by its rate times g / (|g| + ε): the rate itself, for any gradient not
        // tiny. So the largest move in the block is its learning rate.
        let largest =
            lastWeights.map { parameter in
                zip(parameter.tensor.scalars, before[parameter.key]!).map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
        guard largest > 0 else {
            return .fail("the last block (\(blocks.last!.joined(separator: ", "))) did not move", hint: formula)
        }
        guard abs(largest - rate / 10) < rate / 100 else {
            return .fail(
                "the last block's weights moved by up to \(largest): a first Adam step moves them by their learning "
                    + "rate, and that should be a tenth of the head's \(rate)", hint: formula)
        }
        return .pass(
            "every block below the last bit-identical, the last moved by \(largest) (a tenth of \(rate)), and the head "
                + "went on with its moments")
    }
}
