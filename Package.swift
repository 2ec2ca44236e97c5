// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tapegrad",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Zoo", targets: ["Zoo"]),
        .executable(name: "bench", targets: ["Bench"]),
        .executable(name: "classify", targets: ["Classify"]),
        .executable(name: "01-tensors-and-tape", targets: ["Tutorial01TensorsAndTape"]),
        .executable(name: "03-cnn-from-scratch", targets: ["Tutorial03CNNFromScratch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 for verifying downloaded weight files (torch hub names carry a hash prefix).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C shims. OpenBLAS is loaded with dlopen (see BLAS.swift), so CBLAS only declares types.
        .target(name: "CBLAS"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libpng and libjpeg report errors by longjmp: these C helpers own the setjmp (see their headers).
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png")]),
        .target(name: "CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),

        .target(name: "Autograd", dependencies: ["CBLAS"]),
        .target(name: "NN", dependencies: ["Autograd", "CZlib", "CPNG", "CJPEG"]),
        .target(name: "Zoo", dependencies: ["NN", .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(
            name: "Classify",
            dependencies: ["Zoo", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .executableTarget(
            name: "Bench",
            dependencies: ["Autograd", "NN", "Zoo", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "Tutorial01TensorsAndTape",
            dependencies: ["Autograd", "TutorialSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tutorials/01-tensors-and-tape"
        ),

        .target(name: "TutorialSupport", dependencies: ["NN"], path: "Sources/Tutorials/TutorialSupport"),
        .executableTarget(
            name: "Tutorial03CNNFromScratch",
            dependencies: ["NN", "TutorialSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tutorials/03-cnn-from-scratch"
        ),

        .testTarget(name: "AutogradTests", dependencies: ["Autograd"]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "ZooTests", dependencies: ["Zoo", "Classify"]),
        // Runs the tutorial executables as a learner would; depending on them makes `swift test` build them.
        .testTarget(name: "TutorialsTests", dependencies: ["Tutorial01TensorsAndTape", "Tutorial03CNNFromScratch"]),
    ]
)
