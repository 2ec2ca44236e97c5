import Autograd
import ExerciseKit
import ExerciseSolutions
import Exercises
import Foundation
import NN
import Testing
import Transfer
import Zoo

/// The reference solutions pass; the student's starting code fails each exercise with the intended message.
@Suite struct ExercisesTests {
    static let expectedFailures = [
        1: ["gradcheck FAILED: 6 of 6", "x at [0,0]: backward gave", "finite differences give", "sigmoid(x)"],
        2: ["unbroadcast(a [2, 3] gradient, to: [3]): shape: expected [3], got [2, 3]", "hint: sum over the leading"],
        3: ["gradcheck FAILED: 18 of 18", "a at [0,0]: backward gave 0,", "dA = upstream x B^T"],
        4: ["weight x columns differs from conv2d at output element [0, 0]: expected", "row c*k*k + i*k + j"],
        5: ["after step 2, element [0]: expected", "velocity = momentum * velocity + gradient"],
        6: [
            "features.0.bias changed after one training step: the features still train",
            "hint: set requiresGrad = false",
        ],
        7: ["the cached inputs have shape [3, 32, 7, 7]; the classifier takes [3, 1568]", "avgpool"],
        8: ["pixel [0, 0]: expected", "hint: a detached copy of the image with requiresGrad set"],
        9: ["moves 12 batch-norm buffers (features.1.num_batches_tracked", "your check found 0: []"],
        10: ["weight gradient [0, 0, 0, 0]: the tape gives", "hint: dW[c, 0, i, j] = sum over b, y, x"],
        11: [
            "the output's own gradient is 0.0; d output / d output is 1",
            "hint: the output's gradient is 1; visit each value",
        ],
        12: [
            "input gradient, against the tape's: element [0, 0, 0, 0]: expected", "hint: for each b, o, y, x, c, i, j",
        ],
        13: ["the last block (features.", ") did not move", "hint: unfreeze the last block"],
        14: ["Lite0 still answers", "not toaster", "hint: up to 20 times"],
        15: ["no prediction: write down what you expect", "hint: difference = mean(first) - mean(second)"],
    ]

    /// Exercise 15 grades a race the student runs: `theExperimentIsGradedFromAResultsFile` below grades it on a
    /// results file, and TutorialsTests on a real swapped race (`theSwappedRaceIsTheExperimentsRace`).
    @Test func everyReferenceSolutionPasses() {
        #expect(ExerciseSolutions.catalogue.map { $0.number } == Array(1...15))
        for exercise in ExerciseSolutions.catalogue where exercise.number != 15 {
            let verdict = exercise.check()
            #expect(verdict.passed, "exercise \(exercise.number): \(verdict)")
        }
    }

    @Test func theStudentsStartingCodeFailsWithTheIntendedMessage() {
        let all = Exercises.catalogue
        #expect(all.map { $0.number } == Array(1...15))
        for exercise in all {
            let verdict = exercise.check()
            #expect(!verdict.passed, "exercise \(exercise.number) passes before any work")
            for phrase in Self.expectedFailures[exercise.number]! {
                #expect(verdict.message.contains(phrase), "exercise \(exercise.number): \(verdict.message)")
            }
        }
    }

    /// The two classic mistakes of a hand-written backward: assigning a gradient where a second op adds to it,
    /// and passing a value's gradient on before every op that used it has sent its share.
    @Test func aBackwardThatOverwritesOrVisitsTooEarlyIsCaught() {
        typealias Value = Exercises.Exercise11Backward.Value
        let overwriting = Exercises.Exercise11Backward.grade { output in
            output.grad = 1
            var queue = [output]
            while !queue.isEmpty {
                let value = queue.removeFirst()
                for input in value.inputs {
                    input.value.grad = value.grad * input.localGradient
                    queue.append(input.value)
                }
            }
        }
        #expect(!overwriting.passed && overwriting.message.contains("d output / d x y is"), "\(overwriting)")
        // Depth first, each value visited once, as soon as it is reached: x passes its gradient on (it has no
        // inputs, but x y does) before b's share has arrived.
        let tooEarly = Exercises.Exercise11Backward.grade { output in
            output.grad = 1
            var seen: Set<ObjectIdentifier> = []
            func visit(_ value: Value) {
                guard seen.insert(ObjectIdentifier(value)).inserted else { return }
                for input in value.inputs {
                    input.value.grad += value.grad * input.localGradient
                    visit(input.value)
                }
            }
            visit(output)
        }
        #expect(!tooEarly.passed && tooEarly.message.contains("the tape gives"), "\(tooEarly)")
    }

    /// The convolution's pullback with the input gradient's taps flipped (a true convolution's index, y - i +
    /// padding, where conv2d reads y + i - padding): the weight gradient alone would not catch it.
    @Test func aConvolutionPullbackWithFlippedTapsIsCaught() {
        let verdict = Exercises.Exercise12ConvolutionPullback.grade { input, weight, upstream, p in
            let k = weight.shape[2]
            let values = weight.scalars
            let flipped = Tensor(shape: weight.shape) { i in
                let (filter, tap) = (i / (k * k), i % (k * k))
                return values[filter * k * k + (k - 1 - tap / k) * k + (k - 1 - tap % k)]
            }
            let reference = ExerciseSolutions.Exercise12ConvolutionPullback.gradients(
                input: input, weight: weight, upstream: upstream, padding: p)
            let mistaken = ExerciseSolutions.Exercise12ConvolutionPullback.gradients(
                input: input, weight: flipped, upstream: upstream, padding: p)
            return (mistaken.input, reference.weight)
        }
        #expect(
            !verdict.passed && verdict.message.contains("input gradient, against the tape's: element"), "\(verdict)")
    }

    /// The two classic slips of fine-tuning: a fresh Adam for the two groups (the head loses its moments), and the
    /// block added at the head's full rate.
    @Test func aFreshOptimizerOrAFullRateIsCaught() {
        let fresh = Exercises.Exercise13FineTuning.grade { model, _, rate in
            model.unfreezeLastBlocks(1)
            return Adam(groups: model.fineTuningGroups(learningRate: rate))
        }
        #expect(!fresh.passed && fresh.message.contains("the head's Adam moments are gone"), "\(fresh)")
        let fullRate = Exercises.Exercise13FineTuning.grade { model, optimizer, rate in
            model.unfreezeLastBlocks(1)
            optimizer.addParameterGroup(ParameterGroup(model.trainableBackboneParameters, learningRate: rate))
            return optimizer
        }
        #expect(!fullRate.passed && fullRate.message.contains("should be a tenth of the head's"), "\(fullRate)")
        let everyBlock = Exercises.Exercise13FineTuning.grade { model, optimizer, rate in
            model.unfreezeLastBlocks(99)
            optimizer.addParameterGroup(ParameterGroup(model.trainableBackboneParameters, learningRate: rate / 10))
            return optimizer
        }
        #expect(!everyBlock.passed && everyBlock.message.contains("moved: only the last block"), "\(everyBlock)")
    }

    /// The fooling image's two slips, on a small linear classifier of 1000 classes: a step never clipped back to
    /// the limit, and the gradient taken on the photo itself.
    @Test func aFoolingImageBeyondTheLimitOrMadeInPlaceIsCaught() {
        var generator = SeededGenerator(seed: 14)
        let model = Sequential {
            Flatten()
            Linear(weight: Tensor.normal([1000, 48], std: 0.5, using: &generator), bias: nil)
        }
        let image = Tensor.uniform([1, 3, 4, 4], using: &generator)
        let unclipped = Exercises.Exercise14FoolingImage.grade(
            { model, image, target, limit in
                let copy = Tensor(shape: image.shape, values: image.scalars)
                copy.requiresGrad = true
                crossEntropy(model(copy), labels: [target]).backward()
                let (values, gradient) = (copy.scalars, copy.grad!.scalars)
                return Tensor(shape: image.shape) { values[$0] - 40 * limit * (gradient[$0] > 0 ? 1 : -1) }
            }, model: model, image: image, hint: "")
        #expect(!unclipped.passed && unclipped.message.contains("beyond the limit of"), "\(unclipped)")
        let inPlace = Exercises.Exercise14FoolingImage.grade(
            { model, image, target, _ in
                image.requiresGrad = true
                crossEntropy(model(image), labels: [target]).backward()
                return image
            }, model: model, image: image, hint: "")
        #expect(!inPlace.passed && inPlace.message.contains("the photo itself was changed"), "\(inPlace)")
    }

    /// The experiment's grader reads step 7's results.json: the swapped race passes with the two-standard-error
    /// rule; a population standard deviation, a race that was not swapped, or too few seeds are caught.
    @Test func theExperimentIsGradedFromAResultsFile() throws {
        typealias Experiment = ExerciseSolutions.Exercise15Experiment
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("exercise-15-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        func write(source: String, transfer: [Double], scratch: [Double]) throws {
            let race: [[String: Any]] = [
                [
                    "budget": "10 per class", "data": "Source: VGG.small pretrained on Fashion-MNIST \(source) (...)",
                    "transfer_test_accuracy": transfer, "scratch_test_accuracy": scratch,
                ]
            ]
            try JSONSerialization.data(withJSONObject: race).write(to: file)
        }
        try write(source: "classes 5-9", transfer: [0.81, 0.84, 0.80], scratch: [0.70, 0.76, 0.73])
        let passed = Experiment.grade(results: file, prediction: .better, compare: Experiment.compare)
        #expect(passed.passed && passed.message.contains("better. You predicted better: as the race says"), "\(passed)")
        let population = Experiment.grade(results: file, prediction: .better) { first, second in
            let mean = { (v: [Double]) in v.reduce(0, +) / Double(v.count) }
            let variance = { (v: [Double]) in v.map { ($0 - mean(v)) * ($0 - mean(v)) }.reduce(0, +) / Double(v.count) }
            let error = (variance(first) / 3 + variance(second) / 3).squareRoot()
            return (mean(first) - mean(second), error, .better)
        }
        #expect(!population.passed && population.message.contains("the difference's standard error is"))
        try write(source: "classes 0-4", transfer: [0.81, 0.84, 0.80], scratch: [0.70, 0.76, 0.73])
        let unswapped = Experiment.grade(results: file, prediction: .better, compare: Experiment.compare)
        #expect(!unswapped.passed && unswapped.message.contains("is not the swapped race"))
        try write(source: "classes 5-9", transfer: [0.81], scratch: [0.70])
        let oneSeed = Experiment.grade(results: file, prediction: .better, compare: Experiment.compare)
        #expect(!oneSeed.passed && oneSeed.message.contains("1 seed(s) cannot give a standard error"))
    }

    @Test func aFeatureCacheThatKeepsTheTapeIsCaught() {
        let verdict = Exercises.Exercise7FeatureCache.grade { model, images in
            model.avgpool(model.features(images)).flattened(fromAxis: 1)  // withNoGrad forgotten
        }
        #expect(!verdict.passed && verdict.message.contains("the cached inputs keep the tape of `"), "\(verdict)")
    }

    /// One source, two builds: the reference module's folder is a link to the student's, and the catalogue lists
    /// every exercise file in number order.
    @Test func theReferenceIsCompiledFromTheStudentsFilesAndTheCatalogueListsThemAll() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Classroom")
        let student = try FileManager.default.contentsOfDirectory(
            atPath: sources.appendingPathComponent("Exercises").path)
        #expect(
            try FileManager.default.destinationOfSymbolicLink(
                atPath: sources.appendingPathComponent("ExerciseSolutions").path) == "Exercises")
        let files = student.filter { $0.hasPrefix("Exercise") }.sorted {
            $0.compare($1, options: .numeric) == .orderedAscending
        }
        #expect(Set(student) == Set(files + ["Catalogue.swift"]), "one exercise per file, and the catalogue")
        #expect(Exercises.catalogue.map { $0.file } == files, "Catalogue.swift lists every file, in number order")
        #expect(ExerciseSolutions.catalogue.map { $0.file } == files)
    }

    /// `exercises export --student`: each file without its reference branch, and what is left still compiles
    /// against the libraries (typechecked as the Exercises module, so the starting code builds and its checks
    /// fail as the test above shows).
    @Test func studentCopiesHoldNoAnswerAndStillTypecheck() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Classroom/Exercises")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-students-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var written: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted()
        where file.hasPrefix("Exercise") {
            let source = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let copy = try StudentCopy.make(from: source, file: file)
            #expect(!copy.contains("REFERENCE") && !copy.contains("#else") && !copy.contains("#endif"), "\(file)")
            // Every line of the reference branch is gone (unless the starting code has the same line).
            let lines = source.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let start = lines.firstIndex(of: "#if REFERENCE")!, end = lines.firstIndex(of: "#else")!
            let student = Set(lines[end...])
            for answer in lines[(start + 1)..<end] where !answer.isEmpty && !student.contains(answer) {
                #expect(!copy.contains(answer), "\(file) still holds the answer line `\(answer)`")
            }
            let url = folder.appendingPathComponent(file)
            try copy.write(to: url, atomically: true, encoding: .utf8)
            written.append(url.path)
        }
        #expect(written.count == 15)
        #expect(throws: StudentCopy.Malformed.self) {
            try StudentCopy.make(from: "#if REFERENCE\nanswer\n#endif\n", file: "bad.swift")
        }
        // Typecheck them together against the modules this test was built with.
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["swiftc", "-typecheck", "-module-name", "Exercises", "-I", bin.appendingPathComponent("Modules").path]
            + ["CBLAS", "CPNG", "CJPEG", "CWebP"].flatMap {
                ["-Xcc", "-fmodule-map-file=" + bin.appendingPathComponent("\($0).build/module.modulemap").path]
            }
            + [
                "-Xcc",
                "-fmodule-map-file="
                    + sources.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                        "C/CZlib/module.modulemap"
                    ).path,
            ] + written
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the students' files do not compile:\n\(message.prefix(2_000))")
    }

    /// Every exercise names its notebook, and that notebook names the exercise's file back.
    @Test func everyExerciseAndItsNotebookPointToEachOther() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for exercise in Exercises.catalogue {
            let source = try String(
                contentsOf: root.appendingPathComponent("Sources/Classroom/Exercises/\(exercise.file)"), encoding: .utf8
            )
            let line = source.split(separator: "\n").first { $0.contains("Its notebook: notebooks-md/") }
            let name = try #require(line, "\(exercise.file) names no notebook")
                .components(separatedBy: "notebooks-md/")[1].trimmingCharacters(in: CharacterSet(charactersIn: "."))
            let notebook = try String(contentsOf: root.appendingPathComponent("notebooks-md/\(name)"), encoding: .utf8)
            #expect(
                notebook.contains("Sources/Classroom/Exercises/\(exercise.file)"),
                "\(name) does not point to \(exercise.file)")
        }
    }

    /// Hints come in steps: the first shown alone is a nudge, more on request, the formula last.
    @Test func hintsComeInStepsFromANudgeToTheFormula() throws {
        for exercise in Exercises.catalogue {
            let verdict = exercise.check()
            let formula = try #require(verdict.formula, "exercise \(exercise.number) fails with a formula")
            #expect(exercise.nudges.count >= 2, "exercise \(exercise.number): at least two nudges before the formula")
            #expect(!exercise.nudges.contains { $0.contains(formula) || formula.contains($0) })
            let first = verdict.shown(hints: 1, nudges: exercise.nudges)
            #expect(first.contains("hint 1 of \(exercise.nudges.count + 1): \(exercise.nudges[0])"))
            #expect(!first.contains(formula) && first.contains("more with --hints 2"), "\(first)")
            let all = verdict.shown(hints: exercise.nudges.count + 1, nudges: exercise.nudges)
            #expect(all.hasSuffix(formula) && !all.contains("more with"), "\(all)")
        }
        let passed = ExerciseSolutions.catalogue[0].check()
        #expect(
            passed.shown(hints: 3, nudges: ["x"]).hasPrefix("PASS:")
                && !passed.shown(hints: 3, nudges: ["x"]).contains("hint"))
    }
}
