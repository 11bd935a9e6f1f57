/// A compiled rule: what to look for, how bad it is, and how to fix it.
public struct Rule: Sendable {
    /// Where a rule, or one of its examples, was written.
    public struct Location: Equatable, Sendable, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let column: Int
        public var description: String { "\(path):\(line):\(column)" }
    }

    /// An `example` or `not` line with its location, for self-tests.
    public struct Sample: Sendable {
        public let text: String
        public let location: Location
    }

    public let id: String
    public let title: String
    public let severity: Severity
    public let category: Category
    /// The contexts the rule applies in. All contexts by default.
    public let contexts: Set<RuleContext>
    /// Lowercase literals of which at least one must occur in a line (ASCII case
    /// ignored) for the regex to run there. Empty means the regex runs on every line.
    public let keywords: [String]
    public let pattern: PCRE2Pattern
    /// The capture group holding the secret, which is masked in every output; nil when
    /// the rule finds no secret.
    public let secretGroup: Int?
    /// The CWE id, e.g. `CWE-215`, or nil.
    public let cwe: String?
    /// What to do about a finding, or nil.
    public let fix: String?
    public let examples: [Sample]
    public let lookalikes: [Sample]
    public let location: Location

    /// Checks and compiles a spec, reporting every mistake in it.
    ///
    /// - Returns: the rule, or all errors found (missing fields, unknown severity,
    ///   category or context, a regex that does not compile, a bad secret group or CWE).
    public static func compile(_ spec: RuleSpec) -> Result<Rule, RuleLoadError> {
        var errors: [RuleFileError] = []
        func fail(_ value: RuleSpec.Value, offset: Int = 0, _ message: String) {
            errors.append(RuleFileError(path: spec.path, line: value.line, column: value.column + offset, message: message))
        }
        func missing(_ what: String) {
            errors.append(RuleFileError(path: spec.path, line: spec.line, column: 1, message: "rule '\(spec.id)' has no \(what)"))
        }

        let title = spec.fields["title"]?.text
        if title == nil { missing("title") }

        /// The case of `Value` named by `word`, or nil after reporting the unknown name.
        func named<Value: CaseIterable & RawRepresentable>(_ word: String, _ kind: String, at value: RuleSpec.Value,
                                                           offset: Int = 0) -> Value? where Value.RawValue == String {
            if let known = Value(rawValue: word) { return known }
            let names = Value.allCases.map(\.rawValue)
            fail(value, offset: offset, "unknown \(kind) '\(word)'\(didYouMean(word, names)); expected one of \(names.joined(separator: ", "))")
            return nil
        }

        var severity: Severity?
        if let value = spec.fields["severity"] {
            severity = named(value.text, "severity", at: value)
        } else {
            missing("severity")
        }

        var category: Category?
        if let value = spec.fields["category"] {
            category = named(value.text, "category", at: value)
        } else {
            missing("category")
        }

        var contexts = Set(RuleContext.allCases)
        if let value = spec.fields["in"] {
            contexts = Set(words(of: value.text).compactMap { word, offset -> RuleContext? in
                named(word, "context", at: value, offset: offset)
            })
        }

        let keywords = spec.fields["keywords"].map { words(of: $0.text).map { asciiLowercased($0.word) } } ?? []

        var pattern: PCRE2Pattern?
        if let value = spec.fields["regex"] {
            do {
                pattern = try PCRE2Pattern(value.text)
            } catch {
                fail(value, offset: error.patternOffset ?? 0, "regex: \(error)")
            }
        } else {
            missing("regex")
        }

        var secretGroup: Int?
        if let value = spec.fields["secret-group"] {
            if let group = Int(value.text), group >= 0 {
                secretGroup = group
                if let pattern, group > pattern.captureCount {
                    fail(value, "secret-group \(group) does not exist: the regex has \(pattern.captureCount) capture group\(pattern.captureCount == 1 ? "" : "s")")
                }
            } else {
                fail(value, "secret-group must be a capture group number, found '\(value.text)'")
            }
        }

        if let value = spec.fields["cwe"], !isCWE(value.text) {
            fail(value, "cwe must look like 'CWE-215', found '\(value.text)'")
        }
        if spec.examples.isEmpty { missing("example (every rule needs text it must match)") }
        if spec.lookalikes.isEmpty { missing("'not' (every rule needs a look-alike it must not match)") }

        guard errors.isEmpty, let title, let severity, let category, let pattern else {
            return .failure(RuleLoadError(errors))
        }
        func sample(_ value: RuleSpec.Value) -> Sample {
            Sample(text: value.text, location: Location(path: spec.path, line: value.line, column: value.column))
        }
        return .success(Rule(
            id: spec.id, title: title, severity: severity, category: category, contexts: contexts,
            keywords: keywords, pattern: pattern, secretGroup: secretGroup,
            cwe: spec.fields["cwe"]?.text, fix: spec.fields["fix"]?.text,
            examples: spec.examples.map(sample), lookalikes: spec.lookalikes.map(sample),
            location: Location(path: spec.path, line: spec.line, column: 1)))
    }

    /// Blank-separated words with their byte offsets in `text`.
    private static func words(of text: String) -> [(word: String, offset: Int)] {
        var result: [(String, Int)] = []
        var offset = 0
        for piece in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !piece.isEmpty { result.append((String(piece), offset)) }
            offset += piece.utf8.count + 1
        }
        return result
    }

    private static func isCWE(_ text: String) -> Bool {
        text.hasPrefix("CWE-") && text.count > 4 && text.dropFirst(4).allSatisfy(\.isASCII) && Int(text.dropFirst(4)) != nil
    }
}

/// `text` with ASCII letters lowercased and every other byte unchanged.
func asciiLowercased(_ text: String) -> String {
    String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
}
