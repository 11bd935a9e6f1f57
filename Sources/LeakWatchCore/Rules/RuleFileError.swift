/// A mistake in a rule file, located the way compilers locate errors so editors can jump
/// to it: `patterns/x.rules:12:26: error: unknown field 'regx'; did you mean 'regex'?`
public struct RuleFileError: Error, Equatable, Sendable, CustomStringConvertible, Comparable {
    public let path: String
    /// The 1-based line.
    public let line: Int
    /// The 1-based column, counted in bytes.
    public let column: Int
    /// What is wrong: lowercase, no final period.
    public let message: String

    public init(path: String, line: Int, column: Int, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(path):\(line):\(column): error: \(message)" }

    public static func < (lhs: RuleFileError, rhs: RuleFileError) -> Bool {
        (lhs.path, lhs.line, lhs.column) < (rhs.path, rhs.line, rhs.column)
    }
}

/// Every mistake found while loading rule files, in file order.
public struct RuleLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    public let errors: [RuleFileError]

    public init(_ errors: [RuleFileError]) {
        self.errors = errors.sorted()
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
