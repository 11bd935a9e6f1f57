/// The text of one rule file, named by its path (for error messages and listings).
public struct RuleFileText: Sendable, Equatable {
    public let path: String
    public let text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// The rule files from `patterns/` built into the binary at compile time, so
/// `leakwatch` works from any folder with nothing installed. The build plugin
/// `EmbedRulesPlugin` generates the `files` table.
public enum BuiltinRules {}
