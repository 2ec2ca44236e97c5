import Autograd

/// Collects what one forward pass runs, for `summary`: each module's output shape as it finishes, and the ops a
/// module runs itself between its sub-modules (a residual `+`, a functional `relu`), which no layer reports.
/// Thread-local: a summary on one thread never sees another thread's forward passes.
final class ShapeRecorder {
    enum Event {
        /// A module finished with an output of this shape.
        case module(ObjectIdentifier, shape: [Int])
        /// An op ran in the forward of `container` itself, not inside one of its sub-modules.
        case op(String, inputShapes: [[Int]], shape: [Int], container: ObjectIdentifier)
    }

    private(set) var events: [Event] = []

    static var active: ShapeRecorder? { OpWatcher.innermost(ShapeRecorder.self) }

    func record(_ module: Module, output: Tensor) {
        events.append(.module(ObjectIdentifier(module), shape: output.shape))
    }

    func opDidRun(_ result: Tensor, op: String, inputs: [Tensor]) {
        // Ops inside a layer (a Conv2d's conv2d) are that layer's; only a container's own ops are listed.
        guard let running = RunningModules.onThisThread.modules.last, !running.namedChildren.isEmpty else { return }
        events.append(
            .op(op, inputShapes: inputs.map(\.shape), shape: result.shape, container: ObjectIdentifier(running)))
    }

    /// Runs `body` with a fresh recorder installed and returns what it recorded.
    static func recording(_ body: () -> Void) -> ShapeRecorder {
        let recorder = ShapeRecorder()
        let watcher = OpWatcher(owner: recorder) { recorder.opDidRun($0, op: $1, inputs: $2) }
        OpWatcher.watching(watcher, body)
        return recorder
    }
}
