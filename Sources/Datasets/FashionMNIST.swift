import Autograd
import Foundation

/// Fashion-MNIST (Zalando): 70,000 grayscale 28x28 images of clothing in 10 classes, 60,000 for training and
/// 10,000 for testing. Debian ships it: `apt-get install dataset-fashion-mnist`.
public enum FashionMNIST {
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]
    /// Where Debian's package puts the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// The training set's pixel mean and standard deviation (in [0, 1]), for normalising.
    public static let mean: Float = 0.2860
    public static let standardDeviation: Float = 0.3530

    public enum Split: String, Sendable {
        case train, test
        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// Loads one split as images [N, 1, 28, 28] with values in [0, 1], and labels.
    ///
    /// - Parameters:
    ///   - split: the training set (60,000 images) or the test set (10,000).
    ///   - directory: a folder with the four IDX files, gzipped (`train-images-idx3-ubyte.gz`) or not.
    /// - Throws: `DataError.missing` naming the package to install when the files are not there.
    public static func load(_ split: Split, directory: String = defaultDirectory) throws -> TensorDataset {
        let images = try IDXFile(path: try locate("\(split.filePrefix)-images-idx3-ubyte", in: directory))
        let labels = try IDXFile(path: try locate("\(split.filePrefix)-labels-idx1-ubyte", in: directory))
        guard images.dimensions.count == 3, images.dimensions[1] == 28, images.dimensions[2] == 28 else {
            throw DataError.malformed(
                path: directory, reason: "images have shape \(images.dimensions), not [N, 28, 28]")
        }
        guard labels.dimensions == [images.dimensions[0]], labels.values.allSatisfy({ $0 < 10 }) else {
            throw DataError.malformed(
                path: directory, reason: "labels \(labels.dimensions) do not match images \(images.dimensions)")
        }
        let pixels = Array(images.values)
        let inputs = Tensor(shape: [images.dimensions[0], 1, 28, 28]) { Float(pixels[$0]) / 255 }
        return TensorDataset(inputs: inputs, labels: labels.values.map(Int.init), classNames: classNames)
    }

    private static func locate(_ name: String, in directory: String) throws -> String {
        for candidate in ["\(directory)/\(name).gz", "\(directory)/\(name)"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw DataError.missing(
            path: "\(directory)/\(name).gz",
            hint:
                "Install Fashion-MNIST with `sudo apt-get install dataset-fashion-mnist` (or `make demo`, which does), "
                + "or pass the folder that holds the IDX files.")
    }
}

extension IDXFile {
    init(path: String) throws { try self.init(bytes: try GzipFile.read(path), path: path) }
}
