import Autograd

/// Collects each module's output shape during one forward pass, for `summary`. Thread-local: a summary on one
/// thread never sees another thread's forward passes.
final class ShapeRecorder {
    private(set) var outputs: [(module: ObjectIdentifier, shape: [Int])] = []

    private static let installed = ThreadLocal<ShapeRecorder?>(nil)

    static var current: ShapeRecorder? { installed.value }

    func record(_ module: Module, output: Tensor) {
        outputs.append((ObjectIdentifier(module), output.shape))
    }

    /// Runs `body` with a fresh recorder installed and returns what it recorded.
    static func recording(_ body: () -> Void) -> ShapeRecorder {
        let recorder = ShapeRecorder()
        installed.withValue(recorder, body)
        return recorder
    }
}
