// swift-tools-version:6.0
import PackageDescription

// libFuzzer's harness for Tapegrad's file readers, a package of its own: built only with `--sanitize=fuzzer`
// (libFuzzer supplies `main`), which the main package's plain builds and tests never are. `make fuzz` runs it.
let package = Package(
    name: "TapegradFuzz",
    dependencies: [.package(name: "Tapegrad", path: "..")],
    targets: [
        .executableTarget(
            name: "TapegradFuzz", dependencies: [.product(name: "ReaderFuzzing", package: "Tapegrad")])
    ]
)
