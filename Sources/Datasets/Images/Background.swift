/// An opaque colour to lay transparent images on (`RGBImage.composited(on:)`, `ImageFolder`'s `background:`).
public struct Background: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) { (self.red, self.green, self.blue) = (red, green, blue) }

    public static let white = Background(red: 255, green: 255, blue: 255)
    public static let black = Background(red: 0, green: 0, blue: 0)

    public var description: String { "(\(red), \(green), \(blue))" }
}
