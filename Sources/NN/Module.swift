import Autograd

/// The base class of every layer and model.
///
/// Subclasses declare parameters as stored `Tensor` (or `Tensor?`) properties, buffers as `Buffer` properties and
/// sub-layers as `Module` or `Module?` properties, and implement `forward(_:)`. Collections work too, as PyTorch's
/// containers do: `[Module]` and `[Tensor]` (ModuleList, ParameterList) are keyed by index, `[String: Module]` and
/// `[String: Tensor]` (ModuleDict, ParameterDict) by their keys in sorted order. Reflection finds them all, named
/// by property name, so keys come out as PyTorch writes them: `features.0.weight`. A property that holds tensors
/// or modules in any other shape (a tuple, an optional array, a set) stops the program with its name: skipped
/// silently, its parameters would never train or be saved. Override `keyOverrides` where a property name cannot
/// be the key (Swift names are lowerCamelCase; `num_batches_tracked` is not).
open class Module {
    /// Whether the model is training (dropout on, batch statistics) or evaluating. Set with `train()` / `eval()`.
    public private(set) var isTraining = true

    public init() {}

    /// The computation. Call the module itself (`model(x)`), which also reports shapes to `summary`.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) must override forward(_:)")
    }

    public final func callAsFunction(_ input: Tensor) -> Tensor { running { forward(input) } }

    /// Runs `body` as this module's forward: named in error messages while it runs, its output kept for
    /// `forward(_:keeping:)` and reported to `summary`. `Sequential` runs a fused Conv2d and ReLU this way, so
    /// each still reports its own output.
    func running(_ body: () -> Tensor) -> Tensor {
        let running = RunningModules.onThisThread
        running.modules.append(self)
        defer { running.modules.removeLast() }
        var output = body()
        if let keeper = ActivationKeeper.current { output = keeper.keep(output, from: self) }
        ShapeRecorder.active?.record(self, output: output)
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
                case let tensors as [Tensor]:
                    for (i, tensor) in tensors.enumerated() { found.append(("\(key).\(i)", .parameter(tensor))) }
                case let modules as [String: Module]:
                    for name in modules.keys.sorted() { found.append(("\(key).\(name)", .child(modules[name]!))) }
                case let tensors as [String: Tensor]:
                    for name in tensors.keys.sorted() { found.append(("\(key).\(name)", .parameter(tensors[name]!))) }
                default:
                    check(
                        !Self.hidesTensorsOrModules(child.value),
                        """
                        \(type(of: self)).\(label) holds tensors or modules in a \(type(of: child.value)), which \
                        Module cannot find: its parameters would never be trained or saved. Use Tensor, Module, \
                        [Tensor], [Module], [String: Tensor] or [String: Module].
                        """)
                }
            }
        }
        return found
    }

    /// Whether `value`, a container of a shape reflection does not read, holds a tensor, buffer or module among
    /// its first few elements. Only containers are looked into, and only a few elements deep, because this runs
    /// for every unrecognised property every time the parameters are listed.
    private static func hidesTensorsOrModules(_ value: Any) -> Bool {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional, .tuple, .collection, .set, .dictionary:
            return mirror.children.prefix(4).contains { child in
                let element = child.value
                if element is Tensor || element is Module || element is Buffer { return true }
                // A dictionary's elements are (key, value) tuples; an optional's is its wrapped value.
                return Mirror(reflecting: element).children.prefix(4).contains {
                    $0.value is Tensor || $0.value is Module || $0.value is Buffer
                }
            }
        default:
            return false
        }
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

    // MARK: - Initialisation

    /// Draws every parameter again as a freshly made module would (PyTorch's `reset_parameters`), and resets
    /// buffers (BatchNorm's running statistics): to train a layer, or a whole model, from scratch again.
    /// By default it resets each child in turn; a module that holds parameters of its own overrides it.
    open func resetParameters() {
        let ownParameters = Set(parameters().map(ObjectIdentifier.init))
            .subtracting(namedChildren.flatMap { $0.module.parameters() }.map(ObjectIdentifier.init))
        check(
            ownParameters.isEmpty,
            "\(type(of: self)) holds parameters of its own: override resetParameters() to draw them again")
        for (_, child) in namedChildren { child.resetParameters() }
    }

    // MARK: - Modes and freezing

    /// Training mode for this module and everything inside it.
    public func train() { setTraining(true) }
    /// Evaluation mode for this module and everything inside it.
    public func eval() { setTraining(false) }

    private func setTraining(_ training: Bool) {
        for (_, module) in namedModules() { module.isTraining = training }
    }

    /// Runs `body` with this module and everything inside it in evaluation mode, then gives each module back the
    /// mode it had: for looking at a model (`summary`) without changing it (batch statistics, dropout's draws).
    public func inEvaluationMode<Result>(_ body: () throws -> Result) rethrows -> Result {
        let modules = namedModules().map(\.module)
        let modes = modules.map(\.isTraining)
        for module in modules { module.isTraining = false }
        defer { for (module, mode) in zip(modules, modes) { module.isTraining = mode } }
        return try body()
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
