import Foundation

/// Stops the program with `message` when `condition` is false: for programmer errors such as mismatched shapes.
/// Public so that layers and models built on Autograd report their misuse the same way.
///
/// `precondition` would be shorter, but optimised builds drop its message and stop with a bare
/// "Illegal instruction"; a learner running a release build must still read which op and which shapes.
/// What the program printed before is flushed first: standard output to a pipe or a file is buffered, and a
/// trap would lose the lines that say what the program was doing.
@inline(__always)
public func check(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line
) {
    if !condition { fail(message(), file: file, line: line) }
}

/// Stops the program with `message`, as a failed `check` does: for an error that cannot be thrown from where it
/// is met.
public func fail(_ message: String, file: StaticString = #file, line: UInt = #line) -> Never {
    fflush(nil)  // every output stream: standard output first of all
    fatalError(message + (CheckContext.describe?().map { "\n" + $0 } ?? ""), file: file, line: line)
}

/// Where a failed check happened, in the terms of a layer above Autograd: NN installs a description of the
/// module that was running ("while running layer2.0.conv1, a Conv2d(...), in ResNet"), so a shape error names
/// the part of the model and not only the op. Read only when a check fails.
public enum CheckContext {
    nonisolated(unsafe) public static var describe: (@Sendable () -> String?)?
}
