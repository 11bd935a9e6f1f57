// Detect/: runs rules over lines and makes findings. It knows Rules/ and Input/; it
// knows nothing of output formats or of the command line.

/// One piece of evidence of a leak: which rule matched, where, and what to do about it.
///
/// A finding never holds a secret in clear unless the scan was told to show secrets:
/// ``excerpt`` has every secret on the line masked, and ``fingerprint`` holds only a
/// 16-bit digest of each secret.
public struct Finding: Sendable, Equatable {
    public let ruleID: String
    public let title: String
    public let severity: Severity
    public let category: Category
    /// The CWE id, e.g. `CWE-215`, or nil.
    public let cwe: String?
    /// What to do about it, or nil.
    public let fix: String?
    /// The input's name: a path as given, or `<stdin>`.
    public let path: String
    /// The 1-based line number: a line of the input as given, unless ``lineReference``
    /// says it counts within a decoded body or a HAR entry's headers.
    public var line: Int
    /// The 1-based column of the match's first byte, counted in bytes (of the decoded
    /// line, when the line was decoded).
    public let column: Int
    /// The offset of the match's first byte from the start of the input (of the
    /// decompressed input for compressed files), or from the start of the decoded body.
    public var byteOffset: Int
    /// The context the line was read in.
    public let context: RuleContext
    /// The line around the match, secrets masked, control bytes and invalid UTF-8
    /// escaped, clipped with `…` when the line is long.
    public let excerpt: String
    /// `rule-id:` and 16 hex digits of FNV-1a 64 over the rule id and the match, each
    /// secret replaced by a 16-bit digest: stable across files, lines and rotation.
    public let fingerprint: String
    /// Returns true if and only if the line was longer than the line cap and was scanned
    /// in pieces.
    public let isTruncated: Bool
    /// Returns true if and only if the match holds a secret (masked unless shown).
    public let hasSecret: Bool
    /// The HTTP status the severity was judged with: from the rule's `status-group` on a
    /// log line, or the response's status for header and body lines; nil when unknown.
    public var status: Int? = nil
    /// For an event (a stack trace), what it spans and names; nil for a one-line finding.
    public var event: EventDetail? = nil
    /// What ``line`` counts.
    public var lineReference = LineReference.input
    /// The 1-based index of the HTTP message in a capture, or of the entry in a HAR file;
    /// nil in a log.
    public var message: Int? = nil
    /// The request's method, where the input says it (HAR).
    public var requestMethod: String? = nil
    /// The request's URL, where the input says it (HAR; the `Location` of the message
    /// before, in a `curl -L` capture).
    public var requestURL: String? = nil
}

/// What a finding's line number counts.
public enum LineReference: String, Sendable, Codable {
    /// Lines of the input as given (a chunked body's lines are lines of the capture).
    case input
    /// Lines of a message's decoded body: it was compressed, or it is a HAR entry's text.
    case body
    /// The header fields of a HAR entry, the first being line 1.
    case headers
}

/// What a multi-line event finding covers.
public struct EventDetail: Sendable, Equatable {
    /// The line of the event's last line (the finding's ``Finding/line`` is its first).
    public var endLine: Int
    /// How many lines the event has, its first included and trailing blank lines not.
    public let lineCount: Int
    /// The exception type, e.g. `KeyError` or `java.lang.IllegalStateException`, if the
    /// rule captures one.
    public let exceptionType: String?
    /// The source file of the first application (non-library) frame, if any.
    public let frameFile: String?
    /// Returns true if and only if the event reached the rule's `max-lines` and was cut.
    public let isCut: Bool
}

/// A rule whose regex failed on a line (a match limit hit by a pathological pattern or
/// subject), reported instead of hanging; later failures of the same rule in the same
/// input are only counted.
public struct MatchFailure: Sendable, Equatable {
    public let ruleID: String
    public let path: String
    /// The line of the first failure.
    public let line: Int
    public let error: PCRE2Error
    /// How many lines failed in all.
    public var count: Int
}
