import Foundation
import Training
import TutorialFormat

/// The golden numbers printed so far, for `writeNumbers`.
nonisolated(unsafe) private var printedNumbers: [String: Double] = [:]

/// Prints a golden number: a value the default settings always produce (same seed, same data), to 4 decimals,
/// so a class can check their setup against the notebook. Tests pin these lines.
public func golden(_ name: String, _ value: Double) {
    printedNumbers[name] = value
    print(TutorialOutput.goldenLine(name, value))
}

/// Writes `numbers.json` into `folder`: the golden numbers printed so far and `measured` (timings, sizes),
/// then says where it went.
public func writeNumbers(to folder: RunFolder, measured: [String: Double] = [:]) throws {
    let numbers = ["golden": printedNumbers, "measured": measured]
    let data = try JSONSerialization.data(withJSONObject: numbers, options: [.prettyPrinted, .sortedKeys])
    let path = try folder.write(String(decoding: data, as: UTF8.self), to: "numbers.json")
    print("Wrote \(path)")
}
