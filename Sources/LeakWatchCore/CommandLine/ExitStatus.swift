/// How `leakwatch` exits. Printed under EXIT STATUS in `--help`.
///
/// Note that 1 means "found something", the opposite of grep's 1 ("no match"): this is
/// the convention of secret scanners (gitleaks) and what a CI job wants.
public enum ExitStatus: Int32, Sendable {
    /// Nothing at or above `--fail-on` was found, and nothing went wrong.
    case clean = 0
    /// Something at or above `--fail-on` was found.
    case findings = 1
    /// An error: an input that could not be read, a bad rule file; even if there were
    /// findings.
    case error = 2
    /// A usage error (`EX_USAGE`).
    case usage = 64

    /// The status of a scan: errors win over findings, findings at or above `failOn`
    /// win over nothing (`failOn` nil means findings never fail).
    public static func of(_ summary: ScanSummary, failOn: Severity?) -> ExitStatus {
        if summary.errors > 0 { return .error }
        if let failOn, let highest = summary.highestSeverity, highest >= failOn { return .findings }
        return .clean
    }

    static let helpText = """
        EXIT STATUS:
          0   nothing found at or above --fail-on
          1   findings at or above --fail-on (note: grep's 1 means the opposite)
          2   an error (an input that could not be read, a bad rule file), even if
              there were findings
          64  usage error
        """
}
