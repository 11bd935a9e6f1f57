/// A rule's severity: a base level, and conditions under which another level applies.
///
/// Written `severity low body=high` or `severity medium 2xx=high`: a condition is a
/// context (`log`, `header`, `body`) or an HTTP status class (`1xx` … `5xx`, from the
/// rule's `status-group` on a log line, or the response's status for header and body
/// lines). Conditions apply left to right; the last one that holds wins.
public struct SeverityPolicy: Sendable, Equatable, CustomStringConvertible {
    public enum Condition: Sendable, Equatable, CustomStringConvertible {
        case context(RuleContext)
        /// The hundreds digit of a status: 2 for `2xx`.
        case statusClass(Int)

        public var description: String {
            switch self {
            case .context(let context): context.rawValue
            case .statusClass(let digit): "\(digit)xx"
            }
        }
    }

    public struct Override: Sendable, Equatable {
        public let condition: Condition
        public let severity: Severity
    }

    public let base: Severity
    public let overrides: [Override]

    public init(_ base: Severity, overrides: [Override] = []) {
        self.base = base
        self.overrides = overrides
    }

    /// The level for a match in `context` on a line or response with `status` (nil when
    /// unknown).
    public func resolve(context: RuleContext, status: Int?) -> Severity {
        var level = base
        for override in overrides {
            switch override.condition {
            case .context(let wanted) where wanted == context: level = override.severity
            case .statusClass(let digit) where status.map({ $0 / 100 == digit }) ?? false: level = override.severity
            default: break
            }
        }
        return level
    }

    /// The highest level any condition can give.
    public var highest: Severity { overrides.map(\.severity).reduce(base, max) }

    /// Returns true if and only if some condition depends on an HTTP status.
    public var usesStatus: Bool {
        overrides.contains { if case .statusClass = $0.condition { true } else { false } }
    }

    public var description: String {
        ([base.rawValue] + overrides.map { "\($0.condition)=\($0.severity.rawValue)" }).joined(separator: " ")
    }

    /// A mistake in a severity field, at a byte offset of the field's value.
    public struct ParseError: Error, Equatable {
        public let offset: Int
        public let message: String
    }

    /// Parses `level [condition=level ...]`: the policy, or every mistake in `text`.
    public static func parse(_ text: String) -> (policy: SeverityPolicy?, errors: [ParseError]) {
        var errors: [ParseError] = []
        var base: Severity?
        var overrides: [Override] = []
        var offset = 0
        for piece in text.split(separator: " ", omittingEmptySubsequences: false) {
            defer { offset += piece.utf8.count + 1 }
            if piece.isEmpty { continue }
            let word = String(piece)
            guard let equals = word.firstIndex(of: "=") else {
                if base != nil {
                    errors.append(ParseError(offset: offset, message: "severity has one base level; write a condition as '<condition>=<level>', e.g. 'body=high'"))
                } else if let level = level(word, at: offset, into: &errors) {
                    base = level
                }
                continue
            }
            let name = String(word[..<equals])
            let value = String(word[word.index(after: equals)...])
            let valueOffset = offset + name.utf8.count + 1
            let condition = self.condition(name, at: offset, into: &errors)
            if let condition, let level = level(value, at: valueOffset, into: &errors) {
                overrides.append(Override(condition: condition, severity: level))
            }
        }
        if base == nil, errors.isEmpty {
            errors.append(ParseError(offset: 0, message: "severity needs a base level before its conditions, e.g. 'low body=high'"))
        }
        guard errors.isEmpty, let base else { return (nil, errors) }
        return (SeverityPolicy(base, overrides: overrides), [])
    }

    private static func level(_ word: String, at offset: Int, into errors: inout [ParseError]) -> Severity? {
        if let level = Severity(rawValue: word) { return level }
        let names = Severity.allCases.map(\.rawValue)
        errors.append(ParseError(offset: offset, message: "unknown severity '\(word)'\(didYouMean(word, names)); expected one of \(names.joined(separator: ", "))"))
        return nil
    }

    private static func condition(_ word: String, at offset: Int, into errors: inout [ParseError]) -> Condition? {
        if let context = RuleContext(rawValue: word) { return .context(context) }
        let bytes = Array(word.utf8)
        if bytes.count == 3, (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(bytes[0]), bytes[1] == UInt8(ascii: "x"), bytes[2] == UInt8(ascii: "x") {
            return .statusClass(Int(bytes[0] - UInt8(ascii: "0")))
        }
        let names = RuleContext.allCases.map(\.rawValue) + ["1xx", "2xx", "3xx", "4xx", "5xx"]
        errors.append(ParseError(offset: offset, message: "unknown severity condition '\(word)'\(didYouMean(word, names)); expected one of \(names.joined(separator: ", "))"))
        return nil
    }
}
