import Autograd

/// What a forward pass computed inside a model: its output, and the outputs of the modules asked for, by key.
///
/// ```swift
/// let run = model.forward(image, keeping: ["features.28"])
/// run.output[0, 281].backward()        // the score of class 281
/// let map = run["features.28"]         // [1, 512, 14, 14], the convolution's output
/// let grad = map.grad!                 // how the score moves with each of its values: Grad-CAM's input
/// ```
public struct Intermediates {
    /// The model's output.
    public let output: Tensor
    /// Each kept module's output, by its key in the model (`namedModules()`'s paths).
    public let activations: [String: Tensor]

    /// The output of the module at `key`, which must have been asked for.
    public subscript(key: String) -> Tensor {
        guard let tensor = activations[key] else {
            let kept = activations.keys.sorted().joined(separator: ", ")
            preconditionFailure("Intermediates: `\(key)` was not kept; kept: \(kept)")
        }
        return tensor
    }
}

extension Module {
    /// Runs the model on `input` and keeps the outputs of the modules at `keys` (timm's `forward_intermediates`).
    ///
    /// A tape needs no hooks: each kept output is the tensor the next layer read, so a `backward()` from the
    /// output fills its `.grad` as well, when grad mode is on. Where nothing before a kept output needs a
    /// gradient (a frozen backbone, an image), the output becomes the start of the tape, so its gradient is still
    /// there.
    ///
    /// - Parameters:
    ///   - input: what `model(input)` would get.
    ///   - keys: module keys as `namedModules()` lists them (`features.28`, `_blocks.15`); each must run once.
    public func forward(_ input: Tensor, keeping keys: [String]) -> Intermediates {
        let modules = Dictionary(namedModules().map { ($0.path, $0.module) }, uniquingKeysWith: { first, _ in first })
        var wanted: [ObjectIdentifier: String] = [:]
        for key in keys {
            guard let module = modules[key], !key.isEmpty else {
                let near = modules.keys.filter { !$0.isEmpty && ($0.hasPrefix(key) || key.hasPrefix($0)) }.sorted()
                let hint = near.isEmpty ? "" : " Keys near it: \(near.prefix(8).joined(separator: ", "))."
                check(false, "forward(keeping:): \(type(of: self)) has no module `\(key)`.\(hint)")
                continue
            }
            wanted[ObjectIdentifier(module)] = key
        }
        let keeper = ActivationKeeper(wanted: wanted)
        let output = ActivationKeeper.installed.withValue(keeper) { self(input) }
        let missing = keys.filter { keeper.kept[$0] == nil }
        check(
            missing.isEmpty,
            "forward(keeping:): \(missing.joined(separator: ", ")) did not run in \(type(of: self))'s forward pass")
        return Intermediates(output: output, activations: keeper.kept)
    }
}

/// Takes the outputs of the wanted modules as a forward pass makes them. Thread-local, as `summary`'s recorder.
final class ActivationKeeper {
    let wanted: [ObjectIdentifier: String]
    private(set) var kept: [String: Tensor] = [:]
    static let installed = ThreadLocal<ActivationKeeper?>(nil)
    static var current: ActivationKeeper? { installed.value }

    init(wanted: [ObjectIdentifier: String]) { self.wanted = wanted }

    /// Whether `module`'s output is wanted.
    func wants(_ module: Module) -> Bool { wanted[ObjectIdentifier(module)] != nil }

    /// Called by `callAsFunction` with each module's output: keeps it if `module` is wanted, and returns the
    /// tensor the forward pass goes on with.
    func keep(_ output: Tensor, from module: Module) -> Tensor {
        guard let key = wanted[ObjectIdentifier(module)] else { return output }
        return store(output, as: key)
    }

    /// Keeps `value` under `key` and returns it, or, where no gradient reaches it from below, a leaf with its
    /// values that starts the tape there.
    private func store(_ value: Tensor, as key: String) -> Tensor {
        check(
            kept[key] == nil,
            "forward(keeping:): `\(key)` ran more than once in one forward pass, so which output to keep is ambiguous")
        var value = value
        if isGradEnabled {
            if value.requiresGrad {
                value.retainGrad()
            } else {
                value = value.detached()
                value.requiresGrad = true
            }
        }
        kept[key] = value
        return value
    }
}
