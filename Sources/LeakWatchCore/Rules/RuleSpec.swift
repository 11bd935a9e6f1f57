/// A rule exactly as written in a `.rules` file: strings with their locations, not yet
/// checked or compiled. ``Rule/compile(_:)`` turns it into a ``Rule``.
public struct RuleSpec: Equatable, Sendable {
    /// A field's value as written (the rest of the line after the key and its spaces,
    /// trailing blanks trimmed) and where that value starts.
    public struct Value: Equatable, Sendable {
        /// The text; `|` continuation lines add to it after a newline.
        public internal(set) var text: String
        public let line: Int
        /// The 1-based byte column where `text` starts.
        public let column: Int
    }

    public let id: String
    /// Returns true if and only if the stanza is an `event` (a multi-line finding) rather
    /// than a `rule`.
    public var isEvent = false
    public let path: String
    /// The line of the `rule <id>` header.
    public let line: Int
    /// Fields that may appear once, by key.
    public var fields: [String: Value] = [:]
    /// `example` lines: text the rule must match.
    public var examples: [Value] = []
    /// `not` lines: look-alikes the rule must not match.
    public var lookalikes: [Value] = []

    /// The fields a rule may have that appear at most once.
    public static let scalarKeys = ["title", "severity", "category", "in", "keywords", "regex",
                                    "secret-group", "status-group", "min-entropy", "cwe", "fix"]
                                    + eventKeys
    /// The fields only an `event` stanza has.
    public static let eventKeys = ["start", "continue", "end", "max-lines", "min-lines", "frame", "library"]
    /// The fields a rule may repeat.
    public static let listKeys = ["example", "not"]
    public static var knownKeys: [String] { scalarKeys + listKeys }
}
