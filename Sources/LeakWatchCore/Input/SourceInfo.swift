/// What findings say about where their bytes came from.
public struct SourceInfo: Hashable, Sendable {
    /// How findings and errors name the input: the path as given, or `<stdin>`.
    public let name: String
    /// How the bytes were stored before they reached the line reader.
    public let encoding: Encoding

    public enum Encoding: String, Sendable {
        case plain
        case gzip
        case zstd
        case bzip2
        case xz
    }

    public init(name: String, encoding: Encoding = .plain) {
        self.name = name
        self.encoding = encoding
    }

    /// How findings name standard input.
    public static let standardInputName = "<stdin>"
}
