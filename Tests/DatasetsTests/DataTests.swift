import Autograd
import Foundation
import NN
import Testing
@testable import Training
import Datasets
#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct DataTests {
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "tapegrad-data-tests-\(getpid())")

    @Test func fashionMNISTLoadsFromDebiansPackage() throws {
        let test = try FashionMNIST.load(.test)
        #expect(test.inputs.shape == [10_000, 1, 28, 28])
        #expect(test.count == 10_000)
        #expect(Set(test.labels) == Set(0..<10))
        #expect((0..<10).allSatisfy { label in test.labels.filter { $0 == label }.count == 1000 })
        let pixels = test.inputs.scalars
        #expect(pixels.min()! == 0 && pixels.max()! == 1)
        #expect(Swift.abs(pixels.reduce(0, +) / Float(pixels.count) - FashionMNIST.mean) < 0.01)
    }

    @Test func aMissingDatasetNamesThePackageToInstall() {
        #expect {
            try FashionMNIST.load(.train, directory: "/nonexistent")
        } throws: { error in
            guard case DataError.missing(let path, let hint) = error else { return false }
            return path.hasSuffix("train-images-idx3-ubyte.gz")
                && hint.contains("apt-get install dataset-fashion-mnist")
        }
    }

    @Test func truncatedOrMislabelledFilesThrowInsteadOfCrashing() throws {
        let directory = Self.scratch.appendingPathComponent("idx")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Images whose header promises 2 images of 28x28 but holds fewer bytes; labels that are fine.
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]
        try Data(header + [UInt8](repeating: 7, count: 100)).write(
            to: directory.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data([0, 0, 8, 1, 0, 0, 0, 2, 3, 4]).write(to: directory.appendingPathComponent("t10k-labels-idx1-ubyte"))
        #expect {
            try FashionMNIST.load(.test, directory: directory.path)
        } throws: { error in
            "\(error)".contains("header declares [2, 28, 28] = 1568 values, the file holds 100")
        }
        // A gzip file cut in half.
        let gzipped = try Data(
            contentsOf: URL(fileURLWithPath: FashionMNIST.defaultDirectory + "/t10k-labels-idx1-ubyte.gz"))
        try gzipped.prefix(gzipped.count / 2).write(to: directory.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        try Data(header + [UInt8](repeating: 7, count: 1568)).write(
            to: directory.appendingPathComponent("t10k-images-idx3-ubyte"))
        #expect(throws: DataError.self) { try FashionMNIST.load(.test, directory: directory.path) }
    }

    static func tiny() -> TensorDataset {
        TensorDataset(
            inputs: Tensor.arange(0, 20).reshaped(to: [10, 2]), labels: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0],
            classNames: ["a", "b", "c"])
    }

    @Test func loaderCoversEveryExampleOnceWithASeededOrderPerEpoch() {
        let loader = DataLoader(Self.tiny(), batchSize: 4, shuffle: true, seed: 1)
        #expect(loader.count == 3)
        let first = loader.map(\.labels)
        let firstInputs = Array(loader.order(ofEpoch: 0))
        #expect(first.map(\.count) == [4, 4, 2])
        #expect(firstInputs.sorted() == Array(0..<10))
        let again = DataLoader(Self.tiny(), batchSize: 4, shuffle: true, seed: 1)
        #expect(again.map(\.labels) == first, "the same seed gives the same first epoch")
        #expect(loader.order(ofEpoch: 1) != loader.order(ofEpoch: 0), "each epoch has its own order")
        let rows = DataLoader(Self.tiny(), batchSize: 4).map { $0.inputs.scalars }
        #expect(rows.first! == [0, 1, 2, 3, 4, 5, 6, 7], "unshuffled batches keep the dataset's order")
        #expect(DataLoader(Self.tiny(), batchSize: 4, dropLast: true).map(\.labels).map(\.count) == [4, 4])
    }

    @Test func subsetsByClassBySplitAndByRelabelling() throws {
        let data = Self.tiny()
        let two = try data.examples(perClass: 2, seed: 3)
        #expect(two.count == 6 && (0..<3).allSatisfy { c in two.labels.filter { $0 == c }.count == 2 })
        let kept = data.keeping(classes: [2, 0])
        #expect(kept.classNames == ["c", "a"])
        #expect(kept.labels == [1, 0, 1, 0, 1, 0, 1])
        #expect(kept.inputs.scalars.prefix(4) == [0, 1, 4, 5], "examples 0 (class a) and 2 (class c)")
        let (a, b) = data.randomSplit(firstCount: 7, seed: 4)
        #expect(a.count == 7 && b.count == 3)
        let rowsA = Set(stride(from: 0, to: 14, by: 2).map { a.inputs.scalars[$0] })
        let rowsB = Set(stride(from: 0, to: 6, by: 2).map { b.inputs.scalars[$0] })
        #expect(rowsA.isDisjoint(with: rowsB) && rowsA.union(rowsB).count == 10)
    }
}

@Suite struct TrainingHelperTests {
    @Test func accuracyTopKAndConfusionMatrix() {
        let logits = Tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
        let labels = [1, 1, 2, 2]
        #expect(accuracy(logits, labels: labels) == 0.5)
        #expect(topKAccuracy(logits, labels: labels, k: 2) == 0.75)
        var matrix = ConfusionMatrix(classNames: ["a", "b", "c"])
        matrix.add(logits, labels: labels)
        #expect(matrix.counts == [[0, 0, 0], [1, 1, 0], [1, 0, 1]])
        #expect(matrix.recall == [0, 0.5, 0.5])
        #expect(matrix.description.contains("accuracy 50.00% over 4 examples"))
    }

    @Test func progressBarPrintsPlainLinesInLogs() {
        let bar = ProgressBar(total: 20, label: "epoch 1/1", isTerminal: false)
        let line = bar.line([("loss", "0.5")])
        #expect(line.hasPrefix("epoch 1/1 [--------------------] 0/20") && line.hasSuffix("loss 0.5"))
    }

    @Test func historyWritesCSVAndJSON() throws {
        var history = TrainingHistory()
        history.record(["loss": 0.5, "accuracy": 0.8])
        history.record(["loss": 0.25, "accuracy": 0.9])
        #expect(history.csv == "epoch,loss,accuracy\n1,0.5,0.8\n2,0.25,0.9\n")
        #expect(history.series("accuracy") == [0.8, 0.9])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-history-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try history.write(to: directory)
        let decoded = try JSONDecoder().decode(
            TrainingHistory.self, from: Data(contentsOf: directory.appendingPathComponent("history.json")))
        #expect(decoded.rows == history.rows)
    }

    @Test func chartsAreWellFormedSVG() throws {
        let chart = LineChart(
            title: "accuracy <by> epoch", xLabel: "epoch", yLabel: "accuracy",
            series: [.init("train", [(1, 0.8), (2, 0.9)]), .init("test", [(1, 0.78), (2, 0.85)])])
        var matrix = ConfusionMatrix(classNames: ["T-shirt/top", "Trouser"])
        matrix.add(Tensor([[1, 0], [0, 1], [1, 0]]), labels: [0, 1, 1])
        for svg in [chart.svg, matrix.svg] {
            #expect(svg.hasPrefix("<svg") && svg.contains("</svg>"))
            let parser = XMLParser(data: svg.data(using: .utf8)!)
            #expect(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        }
        #expect(
            chart.svg.contains("accuracy &lt;by&gt; epoch") && chart.svg.components(separatedBy: "<polyline").count == 3
        )
        #expect(matrix.svg.contains(">T-shirt/top<") && matrix.svg.contains("accuracy 66.7%"))
    }
}

@Suite struct HostileInputTests {
    @Test func thousandsOfMutatedIDXFilesLoadOrThrow() throws {
        let good = try [UInt8](
            Data(contentsOf: URL(fileURLWithPath: FashionMNIST.defaultDirectory + "/t10k-labels-idx1-ubyte.gz")))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-idx-fuzz-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28]
        try Data(header + [UInt8](repeating: 1, count: 784)).write(
            to: directory.appendingPathComponent("t10k-images-idx3-ubyte"))
        var generator = SeededGenerator(seed: 91)
        let started = Date()
        for trial in 0..<2000 {
            var bytes = good
            if trial % 2 == 0 {
                bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
            } else {
                for _ in 0..<(1 + trial % 7) { bytes[Int(generator.next() % 64)] ^= UInt8(1 << (generator.next() % 8)) }
            }
            try Data(bytes).write(to: directory.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
            do { _ = try FashionMNIST.load(.test, directory: directory.path) } catch is DataError {}
        }
        #expect(Date().timeIntervalSince(started) < 60, "bounded to seconds")
    }

    @Test func aPNGWhoseHeaderClaimsAGiganticImageIsRefusedBeforeAllocating() throws {
        // A 70-byte PNG whose header claims 10000 x 10000 pixels (300 MB of RGB), with valid CRCs.
        var png: [UInt8] = [
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
            0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10, 8, 2, 0, 0, 0,
        ]
        png += crc(Array(png[12...])).bigEndianBytes
        let idat: [UInt8] = [0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]  // zlib of one 0 byte
        png += [0, 0, 0, 9] + idat + crc(idat).bigEndianBytes
        png += [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        #expect { try RGBImage(decoding: Data(png), path: "forged.png") } throws: {
            "\($0)".contains("more pixels than the file can hold")
        }
    }

    func crc(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }
}

extension UInt32 {
    var bigEndianBytes: [UInt8] {
        [UInt8(self >> 24), UInt8(self >> 16 & 0xFF), UInt8(self >> 8 & 0xFF), UInt8(self & 0xFF)]
    }

    /// Axes people read without effort: round ticks (80%, 85%, 90%, not 0.817 and 0.859), percentages for a
    /// fraction, whole epochs from the first, a marked phase boundary, and the legend beside the plot, not on it.
    @Test func chartsHaveRoundTicksAndPercentages() {
        let accuracies = [
            0.817, 0.859, 0.842, 0.88, 0.9, 0.871, 0.883, 0.879, 0.884, 0.89, 0.886, 0.887, 0.889, 0.89,
            0.891, 0.892, 0.893,
        ]
        var chart = LineChart(
            title: "test accuracy", xLabel: "epoch", yLabel: "test accuracy", yFormat: .percent,
            series: [.init("test", accuracies.enumerated().map { (Double($0.offset + 1), $0.element) })])
        chart.markers = [(6.5, "fine-tuning")]
        let labels = chart.svg.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("<text"), let start = line.firstIndex(of: ">"), let end = line.lastIndex(of: "<")
            else { return nil }
            return String(line[line.index(after: start)..<end])
        }
        #expect(labels.contains("80%") && labels.contains("85%") && labels.contains("90%"), "\(labels)")
        #expect(!labels.contains { $0.contains("0.8") }, "\(labels)")
        let xLabels = ["1", "5", "10", "15"]
        #expect(xLabels.allSatisfy(labels.contains) && !labels.contains("2") && !labels.contains("0"), "\(labels)")
        #expect(labels.contains("fine-tuning") && chart.svg.contains("stroke-dasharray"))
        // Ticks inside the data's range get decimals only when the step needs them.
        #expect(LineChart.label(0.85, step: 0.05, format: .plain) == "0.85")
        #expect(LineChart.label(0.855, step: 0.005, format: .percent) == "85.5%")
        let ticks = LineChart.roundTicks(covering: 0.817, 0.9)
        #expect(ticks.count == 3 && abs(ticks[0] - 0.8) < 1e-12 && abs(ticks[2] - 0.9) < 1e-12, "\(ticks)")
    }
}
