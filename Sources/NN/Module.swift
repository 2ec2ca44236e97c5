import Autograd

/// The base class of every layer and model.
///
/// Subclasses declare parameters as stored `Tensor` (or `Tensor?`) properties, buffers as `Buffer` properties and
/// sub-layers as `Module`, `Module?` or `[Module]` properties, and implement `forward(_:)`. Reflection finds
/// them all, named by property name (arrays by index), so keys come out as PyTorch writes them:
/// `features.0.weight`. Override `keyOverrides` where a property name cannot be the key (Swift names are
/// lowerCamelCase; `num_batches_tracked` is not).
open class Module {
    /// Whether the model is training (dropout on, batch statistics) or evaluating. Set with `train()` / `eval()`.
    public private(set) var isTraining = true

    public init() {}

    /// The computation. Call the module itself (`model(x)`), which also reports shapes to `summary`.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) must override forward(_:)")
    }

    public final func callAsFunction(_ input: Tensor) -> Tensor {
        let output = forward(input)
        ShapeRecorder.current?.record(self, output: output)
        return output
    }

    /// Property name -> key, for names that differ.
    open var keyOverrides: [String: String] { [:] }

    /// A short description for `summary` and printing, e.g. `Conv2d(3, 64, kernel: 3x3, padding: 1)`.
    open var summaryDescription: String { String(describing: type(of: self)) }

    // MARK: - What reflection finds

    private enum Member {
        case parameter(Tensor)
        case buffer(Buffer)
        case child(Module)
    }

    /// This module's own members in declaration order (superclass properties first), with their keys.
    private var members: [(key: String, member: Member)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            mirrors.insert(m, at: 0)
            mirror = m.superclassMirror
        }
        var found: [(String, Member)] = []
        for m in mirrors {
            for child in m.children {
                guard let label = child.label else { continue }
                let key = keyOverrides[label] ?? label
                switch child.value {
                case let tensor as Tensor: found.append((key, .parameter(tensor)))
                case let tensor as Tensor?: if let tensor { found.append((key, .parameter(tensor))) }
                case let buffer as Buffer: found.append((key, .buffer(buffer)))
                case let module as Module: found.append((key, .child(module)))
                case let module as Module?: if let module { found.append((key, .child(module))) }
                case let modules as [Module]:
                    for (i, module) in modules.enumerated() { found.append(("\(key).\(i)", .child(module))) }
                default: continue
                }
            }
        }
        return found
    }

    /// Direct sub-modules with their keys.
    open var namedChildren: [(key: String, module: Module)] {
        members.compactMap { key, member in
            if case .child(let module) = member { return (key, module) }
            return nil
        }
    }

    /// This module and every module inside it, depth first, with dotted paths ("" for this one).
    public func namedModules() -> [(path: String, module: Module)] {
        var result: [(String, Module)] = [("", self)]
        for (key, child) in namedChildren {
            result += child.namedModules().map { path, module in (path.isEmpty ? key : "\(key).\(path)", module) }
        }
        return result
    }

    /// Every parameter with its dotted key, in PyTorch's order (a module's own, then its children's).
    public func namedParameters() -> [(key: String, tensor: Tensor)] {
        collect { member in
            if case .parameter(let tensor) = member { return tensor }
            return nil
        }
    }

    /// Parameters and buffers together, module by module, in PyTorch's `state_dict()` order.
    public func namedStateTensors() -> [(key: String, tensor: Tensor)] {
        collect { member in
            switch member {
            case .parameter(let tensor): return tensor
            case .buffer(let buffer): return buffer.value
            case .child: return nil
            }
        }
    }

    /// Every buffer with its dotted key.
    public func namedBuffers() -> [(key: String, tensor: Tensor)] {
        collect { member in
            if case .buffer(let buffer) = member { return buffer.value }
            return nil
        }
    }

    private func collect(_ pick: (Member) -> Tensor?) -> [(key: String, tensor: Tensor)] {
        var result: [(key: String, tensor: Tensor)] = []
        for (path, module) in namedModules() {
            for (key, member) in module.members {
                if let tensor = pick(member) { result.append((path.isEmpty ? key : "\(path).\(key)", tensor)) }
            }
        }
        return result
    }

    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// The parameters an optimizer should update now: those with `requiresGrad`.
    public func trainableParameters() -> [Tensor] { parameters().filter(\.requiresGrad) }

    // MARK: - Modes and freezing

    /// Training mode for this module and everything inside it.
    public func train() { setTraining(true) }
    /// Evaluation mode for this module and everything inside it.
    public func eval() { setTraining(false) }

    private func setTraining(_ training: Bool) {
        for (_, module) in namedModules() { module.isTraining = training }
    }

    /// Stops training the parameters whose keys satisfy `predicate` (all by default): `requiresGrad = false`.
    /// A frozen BatchNorm runs in inference mode, even in `train()`: it normalises with its running statistics
    /// and stops updating them (Keras's rule; PyTorch would still use each batch's statistics, see `BatchNorm`).
    /// Optimizers skip frozen parameters at their next `step()`, so an optimizer made before the freeze needs no
    /// rebuilding.
    public func freeze(where predicate: (String) -> Bool = { _ in true }) {
        for (key, tensor) in namedParameters() where predicate(key) { tensor.requiresGrad = false }
    }

    /// Trains the parameters whose keys satisfy `predicate` (all by default) again.
    public func unfreeze(where predicate: (String) -> Bool = { _ in true }) {
        for (key, tensor) in namedParameters() where predicate(key) { tensor.requiresGrad = true }
    }
}
