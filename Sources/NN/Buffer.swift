import Autograd

/// A tensor a module saves and loads with its parameters but never trains, such as BatchNorm's running mean.
/// Declare it as a stored property of type `Buffer`; reflection finds it under the property's name.
public final class Buffer {
    public var value: Tensor

    public init(_ value: Tensor) { self.value = value }
}
