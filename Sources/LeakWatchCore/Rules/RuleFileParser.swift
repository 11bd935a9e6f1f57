/// Parses the `.rules` stanza format into ``RuleSpec`` values, reporting every syntax
/// mistake in the file rather than stopping at the first.
///
/// The grammar, kept small on purpose:
/// - A line whose first non-blank character is `#` is a comment; only whole lines are
///   comments, so `#` inside a regex is literal. Blank lines are ignored.
/// - `rule <id>` at column 1 starts a stanza, `event <id>` a multi-line event stanza.
///   Ids match `[a-z0-9][a-z0-9-]*`.
/// - An indented `key  value` line sets a field of the current stanza. The value is the
///   rest of the line after the run of blanks that follows the key, trailing blanks
///   trimmed. There is no quoting and no escaping: what you see is the regex.
/// - `example` and `not` may repeat; every other field appears at most once.
/// - An indented `|` line continues the `example` or `not` above it with a newline; its
///   text starts at the column where that field's value starts, so leading blanks line up
///   as they would in the log (`|` then blanks up to that column; a shorter line adds an
///   empty line).
///
/// ```
/// rule werkzeug-debugger-pin-logged
///   title         Werkzeug debugger PIN written to a log
///   regex         \* Debugger (?:PIN|pin code):\s*(\d{3}-\d{3}-\d{3}|\d{9})
/// ```
public enum RuleFileParser {
    /// Parses `text`, read from `path`, into rule specs and the mistakes found.
    public static func parse(_ text: String, path: String) -> (specs: [RuleSpec], errors: [RuleFileError]) {
        var specs: [RuleSpec] = []
        var errors: [RuleFileError] = []
        var current: RuleSpec?
        var lineNumber = 0
        /// The list field a `|` line would continue, and the column its value starts at.
        var continuable: (key: String, column: Int)?

        func fail(_ column: Int, _ message: String) {
            errors.append(RuleFileError(path: path, line: lineNumber, column: column, message: message))
        }

        // Split bytes, not Characters: Swift reads "\r\n" as one Character.
        for rawLine in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(rawLine.last == 0x0D ? rawLine.dropLast() : rawLine)
            let indent = bytes.prefix(while: isBlank).count
            if indent == bytes.count || bytes[indent] == UInt8(ascii: "#") { continue }

            if indent == 0 {
                if let finished = current { specs.append(finished) }
                current = nil
                continuable = nil
                let words = splitKeyValue(bytes, from: 0)
                guard words.key == "rule" || words.key == "event" else {
                    fail(1, "expected 'rule <id>' or 'event <id>' to start a stanza, found '\(words.key)'")
                    continue
                }
                guard let id = words.value, !id.text.isEmpty else {
                    fail(bytes.count + 1, "'\(words.key)' needs an id, e.g. '\(words.key) werkzeug-debugger-page'")
                    continue
                }
                if !isValidID(id.text) {
                    fail(id.column, "invalid rule id '\(id.text)': use lowercase letters, digits and '-', starting with a letter or digit")
                }
                current = RuleSpec(id: id.text, isEvent: words.key == "event", path: path, line: lineNumber)
                continue
            }

            if bytes[indent] == UInt8(ascii: "|"), indent + 1 == bytes.count || isBlank(bytes[indent + 1]) {
                guard var stanza = current, let (key, column) = continuable else {
                    fail(indent + 1, "'|' continues an 'example' or 'not' line, but none comes before it")
                    continue
                }
                let textStart = column - 1
                if let stray = bytes[(indent + 1)..<min(textStart, bytes.count)].firstIndex(where: { !isBlank($0) }) {
                    fail(stray + 1, "continued text must start at column \(column), where the \(key) value above starts")
                    continue
                }
                let text = textStart < bytes.count ? String(decoding: bytes[textStart...], as: UTF8.self) : ""
                if key == "example" {
                    stanza.examples[stanza.examples.count - 1].text += "\n" + text
                } else {
                    stanza.lookalikes[stanza.lookalikes.count - 1].text += "\n" + text
                }
                current = stanza
                continue
            }

            let field = splitKeyValue(bytes, from: indent)
            guard current != nil else {
                fail(indent + 1, "field '\(field.key)' is outside a rule; start a stanza with 'rule <id>'")
                continue
            }
            guard RuleSpec.knownKeys.contains(field.key) else {
                fail(indent + 1, "unknown field '\(field.key)'\(didYouMean(field.key, RuleSpec.knownKeys))")
                continue
            }
            guard let value = field.value, !value.text.isEmpty else {
                fail(bytes.count + 1, "field '\(field.key)' has no value")
                continue
            }
            let located = RuleSpec.Value(text: value.text, line: lineNumber, column: value.column)
            continuable = nil
            switch field.key {
            case "example":
                current?.examples.append(located)
                continuable = ("example", value.column)
            case "not":
                current?.lookalikes.append(located)
                continuable = ("not", value.column)
            default:
                if let first = current?.fields[field.key] {
                    fail(indent + 1, "field '\(field.key)' is already set at line \(first.line)")
                } else {
                    current?.fields[field.key] = located
                }
            }
        }
        if let finished = current { specs.append(finished) }
        return (specs, errors)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// Splits `key  value` starting at `start`: the key runs to the first blank, the value
    /// starts after the blanks that follow and loses its trailing blanks.
    private static func splitKeyValue(_ bytes: [UInt8], from start: Int) -> (key: String, value: (text: String, column: Int)?) {
        var keyEnd = start
        while keyEnd < bytes.count, !isBlank(bytes[keyEnd]) { keyEnd += 1 }
        let key = String(decoding: bytes[start..<keyEnd], as: UTF8.self)
        var valueStart = keyEnd
        while valueStart < bytes.count, isBlank(bytes[valueStart]) { valueStart += 1 }
        var valueEnd = bytes.count
        while valueEnd > valueStart, isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
        guard valueStart < valueEnd else { return (key, nil) }
        return (key, (String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self), valueStart + 1))
    }

    static func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first, isLowerAlphanumeric(first) else { return false }
        return id.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
