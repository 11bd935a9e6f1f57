import FoundationEssentials

/// Writes `--format jsonl`: one JSON object per line, flushed after each finding, so a
/// pipeline (Fluent Bit, Vector, `jq`) sees each alert as soon as it is found.
///
/// # Schema, version 1
///
/// Every line is an object `{"type": T, "version": 1, "data": {…}}`, keys sorted. A
/// consumer should check `version`; a new version is made only for changes that would
/// break a consumer (a removed or retyped field), not for added fields.
///
/// `"finding"`, one per finding, in input order (an event's finding, such as a stack
/// trace, comes once its last line has been read):
///
/// | key | type | meaning |
/// | --- | --- | --- |
/// | `rule_id` | string | the rule, e.g. `werkzeug-debugger-pin-logged` |
/// | `title` | string | what the rule finds |
/// | `severity` | string | `info`, `low`, `medium`, `high` or `critical` |
/// | `category` | string | one of the categories in `leakwatch rules list` |
/// | `cwe` | string or null | e.g. `CWE-215` |
/// | `path` | string | the input as named on the command line, or `<stdin>` |
/// | `line` | integer | 1-based line number, counted as `line_in` says |
/// | `line_in` | string | `input`: a line of the input as given (for a chunked body, of the capture); `body`: a line of the message's decoded body (it was compressed, or it is a HAR entry's text); `headers`: the index of a HAR entry's header field |
/// | `column` | integer | 1-based column of the match, in bytes (in the decoded text when the line was decoded: JSON string, ANSI, HTML entities, `%XX`) |
/// | `byte_offset` | integer | offset of the match from the start of the input (decompressed) |
/// | `context` | string | `log`, `header` or `body` |
/// | `excerpt` | string | the line around the match: secrets replaced by `[REDACTED]` (unless `--show-secrets`), control bytes and invalid UTF-8 escaped (`\x1b`, `\xff`), `…` where clipped |
/// | `fingerprint` | string | `rule_id:` + 16 hex digits; stable across files and rotation; secrets contribute a 16-bit digest only |
/// | `fix` | string or null | what to do about it |
/// | `truncated` | boolean | the line was longer than `--max-line-bytes` and scanned in pieces |
/// | `status` | integer or null | the HTTP status the severity was judged with (access-log line, or response) |
/// | `message` | integer or null | 1-based index of the HTTP message in a capture, or of the entry in a HAR file |
/// | `request_method`, `request_url` | string or null | the request, where the input says it (HAR; in a `curl -L` capture, the URL a redirect pointed to) |
/// | `event` | object or null | for a multi-line event: `end_line`, `lines` (integers), `exception_type`, `frame_file` (first application frame; strings or null), `cut` (reached the rule's `max-lines`) |
///
/// `"error"`, one per problem with an input (also written to stderr): `path` (string),
/// `line` and `column` (integers or null), `message` (string).
///
/// `"notice"`, from `leakwatch tail`: `kind` (`data-loss`: lines may have been lost, as
/// a file vanished before it was read to its end or was truncated; `rollup`: repeats of
/// one finding were folded), `path`, `message` (strings); for a roll-up also `rule_id`,
/// `fingerprint` (strings), `count` (findings in the window, the reported first
/// included), `first_seen`, `last_seen` (seconds since the Unix epoch); null otherwise.
///
/// `"summary"`, last, once: `inputs`, `inputs_with_findings`, `errors`, `bytes`,
/// `lines`, `truncated_lines`, `findings` (integers), `findings_by_severity` (an object
/// with a count for every severity), `elapsed_seconds` (number), `exit_status` (the
/// status `leakwatch` exits with).
///
/// Example: `printf ' * Debugger PIN: 938-294-672\n' | leakwatch scan --format jsonl -`
///
/// ```
/// {"data":{"byte_offset":1,"category":"debugger-exposed","column":2,"context":"log","cwe":"CWE-532","excerpt":" * Debugger PIN: [REDACTED]","fingerprint":"werkzeug-debugger-pin-logged:0cb0307d4fbcc2ae","fix":"The PIN unlocks the debugger console (code execution). Turn the debugger off, restart, and treat this log as sensitive.","line":1,"path":"<stdin>","rule_id":"werkzeug-debugger-pin-logged","severity":"critical","title":"Werkzeug debugger PIN written to a log","truncated":false},"type":"finding","version":1}
/// {"data":{"bytes":29,"elapsed_seconds":0.001,"errors":0,"exit_status":1,"findings":1,"findings_by_severity":{"critical":1,"high":0,"info":0,"low":0,"medium":0},"inputs":1,"inputs_with_findings":1,"lines":1,"truncated_lines":0},"type":"summary","version":1}
/// ```
public struct JSONLinesSink: AlertSink {
    /// The version written in every record's `version` key.
    public static let schemaVersion = 1

    private let output: OutputStream
    private let encoder: JSONEncoder
    /// The exit status to write into the summary, decided by the caller.
    private let exitStatus: (ScanSummary) -> Int32

    public init(output: OutputStream, exitStatus: @escaping (ScanSummary) -> Int32) {
        self.output = output
        self.exitStatus = exitStatus
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    public mutating func report(_ finding: Finding) throws {
        try write(.finding(.init(finding)))
    }

    public mutating func diagnose(_ diagnostic: Diagnostic) throws {
        try write(.error(.init(diagnostic)))
    }

    public mutating func finish(_ summary: ScanSummary) throws {
        try write(.summary(.init(summary, exitStatus: exitStatus(summary))))
    }

    public mutating func notice(_ notice: Notice) throws {
        try write(.notice(.init(notice)))
    }

    private func write(_ record: JSONLinesRecord) throws {
        let data = try encoder.encode(record)
        try output.write(String(decoding: data, as: UTF8.self) + "\n")
        try output.flush()
    }
}
