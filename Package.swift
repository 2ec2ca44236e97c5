// swift-tools-version:6.0
import PackageDescription

/// The tutorial steps: one executable each, named after its folder in Sources/Tutorials so they sort.
let tutorials: [(folder: String, target: String)] = [
    ("01-tensors-and-tape", "Tutorial01TensorsAndTape"),
    ("02-gradients-by-hand", "Tutorial02GradientsByHand"),
    ("03-cnn-from-scratch", "Tutorial03CNNFromScratch"),
    ("04-inside-vgg16", "Tutorial04InsideVGG16"),
    ("05-imagenet-classification", "Tutorial05ImageNetClassification"),
    ("06-transfer-learning", "Tutorial06TransferLearning"),
    ("07-scratch-vs-transfer", "Tutorial07ScratchVersusTransfer"),
    ("08-fine-tuning-deeper", "Tutorial08FineTuningDeeper"),
    ("09-what-the-network-sees", "Tutorial09WhatTheNetworkSees"),
    ("10-many-machines", "Tutorial10ManyMachines"),
]

let package = Package(
    name: "Tapegrad",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "Zoo", targets: ["Zoo"]),
        .library(name: "Transfer", targets: ["Transfer"]),
        .library(name: "Interpretation", targets: ["Interpretation"]),
        // Data-parallel training over MPI: a product of its own, so that only its users need OpenMPI installed.
        .library(name: "Distributed", targets: ["Distributed"]),
        .executable(name: "bench", targets: ["Bench"]),
        .executable(name: "classify", targets: ["Classify"]),
        .executable(name: "notebooks", targets: ["NotebooksTool"]),
        .executable(name: "exercises", targets: ["ExercisesTool"]),
        // For the fuzzing package in Fuzz/ (`make fuzz`): every file reader as a function of bytes.
        .library(name: "ReaderFuzzing", targets: ["ReaderFuzzing"]),
    ] + tutorials.map { .executable(name: $0.folder, targets: [$0.target]) },
    dependencies: [
        // `make docs` uses the toolchain's own docc (scripts/docs.sh), so no documentation plugin is a dependency.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // C shims, in Sources/C. OpenBLAS is loaded with dlopen (see BLAS.swift), so CBLAS only declares types.
        .target(name: "CBLAS", path: "Sources/C/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/C/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libpng and libjpeg report errors by longjmp: these C helpers own the setjmp (see their headers).
        .target(name: "CPNG", path: "Sources/C/CPNG", linkerSettings: [.linkedLibrary("png")]),
        .target(name: "CJPEG", path: "Sources/C/CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "CWebP", path: "Sources/C/CWebP", linkerSettings: [.linkedLibrary("webp")]),
        // OpenMPI's mpi.h where Debian's libopenmpi-dev puts it, its handles (macros) handed over by functions. No
        // pkg-config: SwiftPM would look for it, and warn, in every package that depends on Tapegrad.
        .systemLibrary(name: "CMPI", path: "Sources/C/CMPI"),

        // The fast loops under the ops: OpenBLAS, threads, memory, im2col, Winograd, pooling. Package access only.
        .target(name: "Kernels", dependencies: ["CBLAS"]),
        .target(name: "Autograd", dependencies: ["Kernels"]),
        .target(name: "NN", dependencies: ["Autograd", "Kernels"]),
        // Data from outside: datasets, image decoding and transforms, the loader.
        .target(name: "Datasets", dependencies: ["Autograd", "Kernels", "CZlib", "CPNG", "CJPEG", "CWebP"]),
        // Around a training loop: metrics, progress, history, charts, checkpoints.
        .target(name: "Training", dependencies: ["Autograd", "NN", "Datasets"]),
        // Looking into a trained network: filters, feature maps, saliency, Grad-CAM, its worst mistakes.
        .target(name: "Interpretation", dependencies: ["Autograd", "NN", "Datasets", "Training"]),
        // Training across processes: the process group (MPI), data parallelism for a Trainer, SyncBatchNorm.
        .target(name: "Distributed", dependencies: ["Autograd", "NN", "Datasets", "Training", "CMPI"]),
        // Models with published weights, and the readers of weight files (in WeightFiles/).
        .target(name: "Zoo", dependencies: ["Autograd", "NN", "Datasets"]),
        // Transfer learning on any model: TransferModel, the recipes, the feature cache, export, the classifier
        // read from a file.
        .target(name: "Transfer", dependencies: ["Autograd", "NN", "Datasets", "Training", "Zoo"]),
        // The tools, in Sources/Tools.
        .executableTarget(
            name: "Classify",
            dependencies: [
                "Zoo", "Transfer", "Datasets", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/Classify"
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Kernels", "Autograd", "NN", "Datasets", "Zoo", "Transfer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/Bench"
        ),
        // The lines of a tutorial's output that the notebook tool and the tests read.
        .target(name: "TutorialFormat", path: "Sources/Tutorials/TutorialFormat"),
        .target(
            name: "TutorialSupport",
            dependencies: [
                "NN", "Datasets", "Training", "Zoo", "Transfer", "Interpretation", "TutorialFormat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tutorials/TutorialSupport"
        ),

        // What DistributedTests runs under mpirun: a small CNN trained by one process or by several.
        .executableTarget(
            name: "DistributedCheck",
            dependencies: [
                "Autograd", "NN", "Datasets", "Training", "Distributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/DistributedCheck"
        ),

        // Every reader of outside files as a function of bytes: fuzzed by `make fuzz`, replayed by the tests.
        .target(
            name: "ReaderFuzzing", dependencies: ["NN", "Datasets", "Zoo", "Transfer"],
            path: "Sources/Tools/ReaderFuzzing"),

        // notebooks-md/ kept in step with the tutorials' sources and runs.
        .target(name: "Notebooks", dependencies: ["TutorialFormat"], path: "Sources/Tools/Notebooks"),
        .executableTarget(
            name: "NotebooksTool",
            dependencies: ["Notebooks", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/NotebooksTool"
        ),

        // The classroom, in Sources/Classroom: exercises, one file each in Exercises/ (the student's code, the
        // reference under REFERENCE, and the check), listed in Catalogue.swift. ExerciseSolutions is a link to the
        // same folder, built a second time with REFERENCE defined.
        .target(name: "ExerciseKit", dependencies: ["Autograd"], path: "Sources/Classroom/ExerciseKit"),
        .target(
            name: "Exercises",
            dependencies: [
                "ExerciseKit", "Autograd", "NN", "Datasets", "Training", "Zoo", "Transfer", "Interpretation",
            ],
            path: "Sources/Classroom/Exercises"),
        .target(
            name: "ExerciseSolutions",
            dependencies: [
                "ExerciseKit", "Autograd", "NN", "Datasets", "Training", "Zoo", "Transfer", "Interpretation",
            ],
            path: "Sources/Classroom/ExerciseSolutions", swiftSettings: [.define("REFERENCE")]),
        .executableTarget(
            name: "ExercisesTool",
            dependencies: [
                "ExerciseKit", "Exercises", "ExerciseSolutions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Classroom/ExercisesTool"
        ),

        // Helpers every test target uses: tolerance comparison, resident memory.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "Kernels", "TestSupport"]),
        // One test target per library, as the libraries are laid out.
        .testTarget(name: "NNTests", dependencies: ["NN", "Kernels", "Datasets", "Training", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "NN", "Training", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Datasets", "NN", "Kernels", "TestSupport"]),
        .testTarget(
            name: "InterpretationTests", dependencies: ["Interpretation", "Training", "Datasets", "NN", "TestSupport"]),
        .testTarget(
            name: "ZooTests",
            dependencies: ["Zoo", "Transfer", "Datasets", "Training", "Interpretation", "TestSupport"]),
        .testTarget(
            name: "TransferTests", dependencies: ["Transfer", "Zoo", "Datasets", "Training", "Classify", "TestSupport"]),
        .testTarget(name: "ReaderCorpusTests", dependencies: ["ReaderFuzzing"]),
        // Runs DistributedCheck under `mpirun -np 2` against one process: equivalence, faults, resuming.
        .testTarget(
            name: "DistributedTests",
            dependencies: ["DistributedCheck", "Distributed", "NN", "Datasets", "Training", "TestSupport"]),
        // The repository's own rules, read from its files: the layers ARCHITECTURE.md draws.
        .testTarget(name: "RepositoryTests"),
        .testTarget(name: "DocumentedExamplesTests", dependencies: ["Autograd", "NN"]),
        .testTarget(
            name: "ExercisesTests",
            dependencies: ["Autograd", "NN", "Zoo", "Transfer", "ExerciseKit", "Exercises", "ExerciseSolutions"]),
        // Runs the tutorial executables as a learner would; depending on them makes `swift test` build them.
        .testTarget(
            name: "TutorialsTests",
            dependencies: [
                "Autograd", "Kernels", "Datasets", "Training", "Notebooks", "TutorialFormat", "ExerciseKit",
                "ExerciseSolutions", "TestSupport",
            ]
                + tutorials.map { .target(name: $0.target) }),
    ]
        + tutorials.map { tutorial in
            .executableTarget(
                name: tutorial.target,
                dependencies: [
                    "Autograd", "NN", "Datasets", "Training", "Zoo", "Transfer", "Interpretation", "TutorialSupport",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                ]
                    // Only the step about training across processes needs MPI.
                    + (tutorial.folder == "10-many-machines" ? ["Distributed"] : []),
                path: "Sources/Tutorials/\(tutorial.folder)"
            )
        }
)
