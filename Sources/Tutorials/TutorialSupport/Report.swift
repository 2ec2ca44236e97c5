import Datasets
import Foundation
import Interpretation
import NN
import Training

extension RunReport {
    /// What every trained classifier's page shows after its curves: the confusion matrix on the test set, the
    /// examples it is most wrong about, the labels it confidently disputes, and Grad-CAMs of the first 8 test
    /// images.
    public mutating func addEvaluation(of model: Module, on test: TensorDataset, gradCAMLayer: String) throws {
        let interpretation = try Interpretation(model: model, data: test)
        addChart(
            interpretation.confusionMatrix.svg,
            caption: "Test set: rows are true classes, columns predictions.")
        try addTopLosses(interpretation, of: test, scale: 3)
        addLabelsToCheck(interpretation)
        try addGradCAMs(
            model: model, layer: gradCAMLayer, data: test, indices: Array(0..<min(8, test.count)), scale: 3)
    }
}

extension RunReport {
    /// The page of a transfer run (steps 6 and 8) up to its own sections: the settings they share and the test
    /// accuracy curves, fine-tuning marked.
    ///
    /// - Parameters:
    ///   - title: the page's title.
    ///   - story: where the source model comes from and what the target task is.
    ///   - trainingExamples: how many examples the target task trains on.
    ///   - headEpochs: epochs training the new head.
    ///   - fineTuneEpochs: epochs fine-tuning after that.
    ///   - learningRate: the rate, as the reader should see it.
    ///   - seeds: the seed, or the range of seeds.
    ///   - chart: validation accuracy per epoch.
    public init(
        transferRun title: String, story: String, trainingExamples: Int, headEpochs: Int, fineTuneEpochs: Int,
        learningRate: String, seeds: String, chart: LineChart
    ) {
        self.init(title: title)
        addSettings([
            "data": story, "training examples": "\(trainingExamples)", "dense-layer epochs": "\(headEpochs)",
            "fine-tuning epochs": "\(fineTuneEpochs)", "learning rate": learningRate, "seeds": seeds,
        ])
        addChart(chart.svg, caption: "Validation accuracy per epoch; fine-tuning starts at the marker.")
    }
}

extension RunFolder {
    /// Writes `report` as `index.html`, one page holding the run's settings, charts and pictures, and returns its
    /// path as messages show it.
    @discardableResult
    public func write(_ report: RunReport) throws -> String {
        displayPath(try report.write(to: url))
    }
}
