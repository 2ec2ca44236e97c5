/// Something that sees every op as it runs, on one thread: anomaly detection (NaN and infinity) and `summary`
/// (the ops a model runs between its layers). Watchers nest: a `summary` inside `withAnomalyDetection` adds
/// itself beside the detector, and both see every op.
package final class OpWatcher {
    /// The watchers installed on this thread, outermost first: read once per op.
    private static let installed = ThreadLocal<[OpWatcher]>([])

    /// What watches: an anomaly recorder, summary's recorder.
    package let owner: AnyObject
    /// Called with each op's result, its name and its inputs, before it is recorded on the tape.
    package let opDidRun: (Tensor, String, [Tensor]) -> Void

    package init(owner: AnyObject, opDidRun: @escaping (Tensor, String, [Tensor]) -> Void) {
        (self.owner, self.opDidRun) = (owner, opDidRun)
    }

    /// Runs `body` with `watcher` added to this thread's watchers, and removes it afterwards.
    package static func watching<Result>(_ watcher: OpWatcher, _ body: () throws -> Result) rethrows -> Result {
        try installed.withValue(installed.value + [watcher], body)
    }

    /// The owner of the innermost watcher on this thread that is an `Owner`, if any.
    package static func innermost<Owner: AnyObject>(_ type: Owner.Type) -> Owner? {
        installed.value.last { $0.owner is Owner }?.owner as? Owner
    }

    /// Shows an op to every watcher on this thread.
    static func opDidRun(_ result: Tensor, _ op: String, _ inputs: [Tensor]) {
        for watcher in installed.value { watcher.opDidRun(result, op, inputs) }
    }
}
