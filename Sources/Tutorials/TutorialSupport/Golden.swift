/// Prints a golden number: a value the default settings always produce (same seed, same data), to 4 decimals,
/// so a class can check their setup against the notebook. Tests pin these lines.
public func golden(_ name: String, _ value: Double) {
    print("golden: \(name) = \(String(format: "%.4f", value))")
}
