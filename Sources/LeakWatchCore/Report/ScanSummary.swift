/// What a scan covered and found, for the final summary record and the exit status.
public struct ScanSummary: Sendable, Equatable {
    /// Inputs read (files and stdin), including those that failed part way.
    public var inputs = 0
    /// Inputs with at least one finding.
    public var inputsWithFindings = 0
    /// Problems reported as diagnostics: inputs that could not be read, corrupt data,
    /// rules that hit a match limit.
    public var errors = 0
    /// Bytes read, after decompression.
    public var bytes = 0
    public var lines = 0
    /// Lines longer than the line cap, scanned in pieces.
    public var truncatedLines = 0
    public var findings = 0
    public var findingsBySeverity: [Severity: Int] = [:]
    /// Wall-clock time of the scan, in seconds.
    public var elapsedSeconds = 0.0

    public init() {}

    /// The most severe finding, or nil if there were none.
    public var highestSeverity: Severity? {
        Severity.allCases.last { (findingsBySeverity[$0] ?? 0) > 0 }
    }

    /// Adds the counts of `other` (one file of a sweep) to these.
    public mutating func add(_ other: ScanSummary) {
        inputs += other.inputs
        inputsWithFindings += other.inputsWithFindings
        errors += other.errors
        bytes += other.bytes
        lines += other.lines
        truncatedLines += other.truncatedLines
        findings += other.findings
        findingsBySeverity.merge(other.findingsBySeverity, uniquingKeysWith: +)
    }

    /// Counts `finding`.
    public mutating func count(_ finding: Finding) {
        findings += 1
        findingsBySeverity[finding.severity, default: 0] += 1
    }
}
