// Rules/: the `.rules` format, compiled rules and the keyword prefilter. It knows PCRE2/
// and rule text; it knows nothing of the files being scanned or of output formats.

/// How bad a finding is, from `info` (context) to `critical` (code execution possible).
public enum Severity: String, CaseIterable, Comparable, Sendable, Codable {
    case info, low, medium, high, critical

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .info: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        }
    }
}

/// What kind of leak a rule finds. The vocabulary is fixed (DESIGN.md §3a): users
/// filter and route alerts by it.
public enum Category: String, CaseIterable, Sendable, Codable {
    /// Werkzeug's interactive debugger is reachable or running.
    case debuggerExposed = "debugger-exposed"
    /// A server says it runs in debug or development mode, or on a development server.
    case debugModeOn = "debug-mode-on"
    /// A stack trace of any language.
    case traceback
    /// Another framework's debug error page.
    case frameworkDebugPage = "framework-debug-page"
    /// Absolute server file-system paths served in a response.
    case pathDisclosure = "path-disclosure"
    /// Application configuration or environment dumped.
    case configDump = "config-dump"
    /// A credential value.
    case secret
    /// A logged request aimed at the debugger.
    case debuggerProbe = "debugger-probe"
    /// A line matched a regex from a `--pattern-file`; no built-in rule has it.
    case pattern
}

/// Where a line was read from, which decides whether a rule applies to it.
public enum RuleContext: String, CaseIterable, Sendable, Codable {
    /// A line of a log file, or of any input not recognised as something else.
    case log
    /// A header (or the status line) of an HTTP response.
    case header
    /// A line of an HTTP response body.
    case body
}
