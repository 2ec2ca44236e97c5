/// Something that sees every op as it runs, on one thread: anomaly detection (NaN and infinity) and `summary`
/// (the ops a model runs between its layers). One thread-local slot serves them all, read once per op.
package final class OpWatcher {
    /// The watcher installed on this thread, if any.
    package static let installed = ThreadLocal<OpWatcher?>(nil)
    package static var current: OpWatcher? { installed.value }

    /// What watches: an anomaly recorder, summary's recorder.
    package let owner: AnyObject
    /// Called with each op's result, its name and its inputs, before it is recorded on the tape.
    package let opDidRun: (Tensor, String, [Tensor]) -> Void

    package init(owner: AnyObject, opDidRun: @escaping (Tensor, String, [Tensor]) -> Void) {
        (self.owner, self.opDidRun) = (owner, opDidRun)
    }
}
