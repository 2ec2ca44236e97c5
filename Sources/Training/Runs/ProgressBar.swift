import Foundation
import NN

/// Progress of a long loop with rate, time left and live metrics.
///
/// On a terminal it redraws one line in place (at most 10 times a second); in a log (stdout not a terminal) it
/// prints a plain line at a tenth of the way at most every 5 seconds, and one at the end, so logs stay readable.
public final class ProgressBar {
    public let total: Int
    public let label: String
    private let isTerminal: Bool
    private let isShown: Bool
    private let start = Date()
    private var done = 0
    private var lastDraw = Date.distantPast
    private var lastLoggedTenth = 0

    /// - Parameters:
    ///   - total: the number of steps.
    ///   - label: what is progressing, e.g. "epoch 1/5".
    ///   - isTerminal: whether to redraw in place; by default, whether stdout is a terminal.
    ///   - isShown: whether to print at all: every process but one keeps its bars to itself in data-parallel
    ///     training.
    public init(total: Int, label: String, isTerminal: Bool = isatty(STDOUT_FILENO) == 1, isShown: Bool = true) {
        (self.total, self.label, self.isTerminal, self.isShown) = (max(1, total), label, isTerminal, isShown)
    }

    /// Records `steps` more steps done and shows `metrics` (name, formatted value).
    public func advance(by steps: Int = 1, metrics: [(name: String, value: String)] = []) {
        done = min(total, done + steps)
        guard isShown else { return }
        if isTerminal {
            guard Date().timeIntervalSince(lastDraw) >= 0.1 || done == total else { return }
            lastDraw = Date()
            FileHandle.standardOutput.write(("\r" + line(metrics) + "\u{1B}[K").data(using: .utf8)!)
        } else {
            // Tenths only; the last line belongs to finish(), which carries the final metrics.
            let tenth = done * 10 / total
            guard tenth > lastLoggedTenth, tenth < 10, Date().timeIntervalSince(lastDraw) >= 5,
                Date().timeIntervalSince(start) >= 5
            else { return }
            (lastLoggedTenth, lastDraw) = (tenth, Date())
            print(line(metrics))
            fflush(nil)  // a log file is block-buffered: show progress now, not at exit (nil: every stream)
        }
    }

    /// Ends the bar with a final line.
    public func finish(metrics: [(name: String, value: String)] = []) {
        guard isShown else { return }
        if isTerminal {
            FileHandle.standardOutput.write(("\r" + line(metrics) + "\u{1B}[K\n").data(using: .utf8)!)
        } else {
            print(line(metrics))
            fflush(nil)
        }
    }

    /// e.g. `epoch 1/5 [########------------] 412/938  21.3 it/s  0:24 left  loss 0.4123`
    public func line(_ metrics: [(name: String, value: String)]) -> String {
        let width = 20
        let filled = done * width / total
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let time = done == total ? "\(clock(elapsed)) total" : "\(clock(left)) left"
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let shown = metrics.map { "\($0.name) \($0.value)" }.joined(separator: "  ")
        return "\(label) [\(bar)] \(done)/\(total)  \(String(format: "%.1f", rate)) it/s  \(time)  \(shown)"
    }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
