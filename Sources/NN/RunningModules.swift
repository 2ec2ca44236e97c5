import Autograd

/// The modules running on this thread, outermost first: what a failed check names, so that "linear: input
/// [8, 512] does not fit weight [10, 256]" also says which layer of which model it was.
final class RunningModules {
    var modules: [Module] = []

    private static let perThread = ThreadLocal<RunningModules?>(nil)

    /// This thread's stack, made on first use; installing the check context happens once, with the first one.
    static var onThisThread: RunningModules {
        _ = installed
        if let running = perThread.value { return running }
        let running = RunningModules()
        perThread.value = running
        return running
    }

    private static let installed: Void = {
        CheckContext.describe = { perThread.value?.description }
    }()

    /// "while running features.3, a Conv2d(64, 128, kernel: 3x3, padding: 1), in VGG", or nil outside any module.
    var description: String? {
        guard let innermost = modules.last, let outermost = modules.first else { return nil }
        guard innermost !== outermost else { return "while running a \(innermost.summaryDescription)" }
        let path = outermost.namedModules().first { $0.module === innermost }?.path ?? "?"
        return "while running \(path), a \(innermost.summaryDescription), in \(type(of: outermost))"
    }
}
