/// Problems with data from outside the program: files that are missing, unreadable or not what they claim.
/// Each message says what to do about it. It lives here, at the bottom, because every layer that reads files
/// throws it: NN's safetensors, Datasets' images and loaders, Zoo's weight files.
public enum DataError: Error, CustomStringConvertible, Equatable {
    /// A dataset's files are not where they were looked for.
    case missing(path: String, hint: String)
    /// A file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// A file was read but its contents are not valid for its format.
    case malformed(path: String, reason: String)
    /// A class has fewer examples than a split asks of it.
    case tooFewExamples(className: String, available: Int, needed: Int, asked: String)
    /// Examples of one batch have different shapes, so they cannot be stacked.
    case differentSizes(first: String, firstShape: [Int], other: String, otherShape: [Int], hint: String)

    public var description: String {
        switch self {
        case .missing(let path, let hint): return "\(path) not found. \(hint)"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .malformed(let path, let reason): return "\(path) is not a valid file: \(reason)"
        case .tooFewExamples(let className, let available, let needed, let asked):
            return
                "class '\(className)' has \(available) examples, fewer than the \(needed) asked for (\(asked)): ask for "
                + "fewer per class, or add examples to the class"
        case .differentSizes(let first, let firstShape, let other, let otherShape, let hint):
            return "one batch holds examples of different sizes: \(first) is \(firstShape), \(other) is "
                + "\(otherShape); \(hint)"
        }
    }
}
