import ArgumentParser
import Autograd
import Foundation

/// `swift run -c release bench [workload ...]`: the workloads of the README's speed table, each timed as the median
/// of repeats after a warm-up (the way the PyTorch side of the comparison is timed), printed as one JSON line.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Times Tapegrad on the benchmark workloads and prints one JSON line.",
        discussion:
            "Workloads: \(Workloads.all.map(\.name).joined(separator: ", ")). Compare with PyTorch running the same workloads in the same sitting."
    )

    @Argument(help: "Workloads to run (default: all).")
    var workloads: [String] = []

    func validate() throws {
        let known = Set(Workloads.all.map(\.name))
        if let unknown = workloads.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown workload '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
        }
    }

    func run() throws {
        FileHandle.standardError.write("\(Tapegrad.blasInfo)\n".data(using: .utf8)!)
        let chosen = workloads.isEmpty ? Workloads.all : Workloads.all.filter { workloads.contains($0.name) }
        var results: [(String, Double)] = []
        for workload in chosen { results += workload.run() }
        let fields = results.map { "\"\($0.0)\": \((($0.1 * 1000).rounded() / 1000))" }
        print("{" + fields.joined(separator: ", ") + "}")
    }
}

/// The median of `repeats` timings of `body`, in seconds, after `warmUp` untimed runs.
func median(repeats: Int = 5, warmUp: Int = 1, _ body: () -> Void) -> Double {
    for _ in 0..<warmUp { body() }
    let times = (0..<repeats).map { _ in
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    return times.sorted()[times.count / 2]
}
