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
    public let severity: SeverityPolicy
    public let category: Category
    /// The contexts the rule applies in. All contexts by default.
    public let contexts: Set<RuleContext>
    /// Lowercase literals of which at least one must occur in a line (ASCII case
    /// ignored) for the regex to run there. Empty means the regex runs on every line.
    public let keywords: [String]
    /// Returns true if and only if ``keywords`` were derived from the regex
    /// (``RequiredLiterals``) because the rule states none.
    public let keywordsAreDerived: Bool
    /// The `regex` of a rule, or the `start` of an event.
    public let pattern: PCRE2Pattern
    /// How lines after the start join an event; nil for a one-line rule.
    public let event: EventPattern?
    /// The capture group holding the secret, which is masked in every output; nil when
    /// the rule finds no secret.
    public let secretGroup: Int?
    /// The capture group holding an HTTP status (in an access-log line), for the
    /// severity's status conditions; nil when the rule has none.
    public let statusGroup: Int?
    /// The Shannon entropy, in bits per byte, that the secret (or, without a secret
    /// group, the whole match) must reach for a match to count; nil for no limit.
    public let minEntropy: Double?
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

        var severity: SeverityPolicy?
        if let value = spec.fields["severity"] {
            let parsed = SeverityPolicy.parse(value.text)
            severity = parsed.policy
            for mistake in parsed.errors { fail(value, offset: mistake.offset, mistake.message) }
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

        var keywords = spec.fields["keywords"].map { words(of: $0.text).map { asciiLowercased($0.word) } } ?? []
        var keywordsAreDerived = false
        if spec.fields["keywords"] == nil, let regex = spec.fields[spec.isEvent ? "start" : "regex"]?.text,
           let derived = RequiredLiterals.derive(from: regex) {
            keywords = derived
            keywordsAreDerived = true
        }

        func compiled(_ key: String) -> PCRE2Pattern? {
            guard let value = spec.fields[key] else { return nil }
            do {
                return try PCRE2Pattern(value.text)
            } catch {
                fail(value, offset: error.patternOffset ?? 0, "\(key): \(error)")
                return nil
            }
        }
        func misplaced(_ keys: [String], _ reason: String) {
            for key in keys { if let value = spec.fields[key] { fail(value, "'\(key)' \(reason)") } }
        }

        func count(_ key: String, default fallback: Int) -> Int {
            guard let value = spec.fields[key] else { return fallback }
            guard let number = Int(value.text), number >= 1, number <= 100_000 else {
                fail(value, "\(key) must be a whole number from 1 to 100000, found '\(value.text)'")
                return fallback
            }
            return number
        }

        let patternKey = spec.isEvent ? "start" : "regex"
        let pattern = compiled(patternKey)
        if spec.fields[patternKey] == nil { missing(patternKey) }
        var event: EventPattern?
        if spec.isEvent {
            misplaced(["regex", "secret-group", "status-group", "min-entropy"], "is a field of a 'rule'; an event has 'start', 'continue' and 'end'")
            let continuation = compiled("continue")
            if spec.fields["continue"] == nil { missing("continue (the lines that join the event)") }
            let maxLines = count("max-lines", default: EventPattern.defaultMaxLines)
            let minLines = count("min-lines", default: EventPattern.defaultMinLines)
            let frame = compiled("frame")
            if let frame, let value = spec.fields["frame"], frame.groupNumber(named: "file") == nil {
                fail(value, "frame needs a group '(?<file>…)' naming the frame's source file")
            }
            if let pattern, let continuation {
                event = EventPattern(start: pattern, continuation: continuation, end: compiled("end"),
                                     maxLines: maxLines, minLines: minLines, frame: frame, library: compiled("library"))
            }
        } else {
            misplaced(RuleSpec.eventKeys, "belongs to an 'event' stanza; write 'event \(spec.id)' to gather lines")
        }

        func group(_ key: String) -> Int? {
            guard let value = spec.fields[key] else { return nil }
            guard let group = Int(value.text), group >= 0 else {
                fail(value, "\(key) must be a capture group number, found '\(value.text)'")
                return nil
            }
            if let pattern, group > pattern.captureCount {
                fail(value, "\(key) \(group) does not exist: the regex has \(pattern.captureCount) capture group\(pattern.captureCount == 1 ? "" : "s")")
            }
            return group
        }
        let secretGroup = group("secret-group")
        let statusGroup = group("status-group")
        if let severity, severity.usesStatus, statusGroup == nil, !contexts.contains(.header), !contexts.contains(.body),
           let value = spec.fields["severity"] {
            fail(value, "a status condition needs a 'status-group' (or the rule to run in header or body)")
        }

        var minEntropy: Double?
        if let value = spec.fields["min-entropy"] {
            if let bits = Double(value.text), bits >= 0, bits <= 8 {
                minEntropy = bits
            } else {
                fail(value, "min-entropy must be a number of bits per byte from 0 to 8, found '\(value.text)'")
            }
        }

        if let value = spec.fields["cwe"], !isCWE(value.text) {
            fail(value, "cwe must look like 'CWE-215', found '\(value.text)'")
        }
        if spec.examples.isEmpty { missing("example (every rule needs text it must match)") }
        if spec.lookalikes.isEmpty { missing("'not' (every rule needs a look-alike it must not match)") }

        guard errors.isEmpty, let title, let severity, let category, let pattern, event != nil || !spec.isEvent else {
            return .failure(RuleLoadError(errors))
        }
        func sample(_ value: RuleSpec.Value) -> Sample {
            Sample(text: value.text, location: Location(path: spec.path, line: value.line, column: value.column))
        }
        return .success(Rule(
            id: spec.id, title: title, severity: severity, category: category, contexts: contexts,
            keywords: keywords, keywordsAreDerived: keywordsAreDerived, pattern: pattern, event: event, secretGroup: secretGroup,
            statusGroup: statusGroup, minEntropy: minEntropy, cwe: spec.fields["cwe"]?.text, fix: spec.fields["fix"]?.text,
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
