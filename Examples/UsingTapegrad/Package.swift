// swift-tools-version:6.0
import PackageDescription

// A package of your own that depends on Tapegrad, as the article "Use Tapegrad in your package" shows it.
// `make test` builds it beside a clone of Tapegrad named `tapegrad` (scripts/dependent_package.sh), and fails on
// any warning.
let package = Package(
    name: "Classifier",
    dependencies: [
        .package(path: "../tapegrad")
    ],
    targets: [
        .executableTarget(
            name: "Classifier",
            dependencies: [
                .product(name: "Autograd", package: "tapegrad"),
                .product(name: "NN", package: "tapegrad"),
                .product(name: "Datasets", package: "tapegrad"),
                .product(name: "Training", package: "tapegrad"),
                .product(name: "Zoo", package: "tapegrad"),
                .product(name: "Transfer", package: "tapegrad"),
                .product(name: "Interpretation", package: "tapegrad"),
            ])
    ]
)
