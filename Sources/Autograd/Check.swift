/// Stops the program with `message` when `condition` is false: for programmer errors such as mismatched shapes.
/// Public so that layers and models built on Autograd report their misuse the same way.
///
/// `precondition` would be shorter, but optimised builds drop its message and stop with a bare
/// "Illegal instruction"; a learner running a release build must still read which op and which shapes.
@inline(__always)
public func check(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line
) {
    if !condition { fatalError(message(), file: file, line: line) }
}
