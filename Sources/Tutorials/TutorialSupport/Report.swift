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
        let interpretation = Interpretation(model: model, data: test)
        addChart(
            interpretation.confusionMatrix.svg,
            caption: "Test set: rows are true classes, columns predictions.")
        try addTopLosses(interpretation, of: test, scale: 3)
        addLabelsToCheck(interpretation)
        try addGradCAMs(
            model: model, layer: gradCAMLayer, data: test, indices: Array(0..<min(8, test.count)), scale: 3)
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
