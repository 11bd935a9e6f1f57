// Report/: where findings go. It knows Finding and the summary types; it knows nothing
// of where the bytes came from or how they were matched.

/// Something that went wrong with one input (it could not be opened, or its data is
/// corrupt), or with a rule on one input; the scan goes on.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    /// The input's name, or a rule file's path.
    public let path: String
    /// The line the problem was found at, if it is tied to one.
    public let line: Int?
    /// The column on that line, if known.
    public let column: Int?
    /// What went wrong: lowercase, no final period.
    public let message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = line == nil ? nil : column
        self.message = message
    }

    public var description: String {
        var place = path
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): error: \(message)"
    }
}

/// What a follower says that is neither a finding nor an error: lines that may have
/// been lost (a file gone before it was read to its end, a truncation), or a roll-up of
/// repeats of one finding folded together.
public struct Notice: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case dataLoss = "data-loss"
        case rollup
    }

    public let kind: Kind
    /// The followed file.
    public let path: String
    /// What happened: lowercase, no final period.
    public let message: String
    /// For a roll-up: the first finding of the window.
    public var finding: Finding?
    /// For a roll-up: findings in the window, the first included.
    public var count: Int?
    /// For a roll-up: seconds since the Unix epoch of the first and last finding.
    public var firstSeen: Double?
    public var lastSeen: Double?

    public init(kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }
}

/// Receives a scan's results as they are produced.
///
/// Only ``report(_:)`` is required; the other methods do nothing by default. Methods
/// take structs, so new fields never break a conforming type. A thrown error (output
/// that cannot be written) stops the scan.
public protocol AlertSink {
    /// One finding, in input order.
    mutating func report(_ finding: Finding) throws
    /// A problem with one input; the scan goes on.
    mutating func diagnose(_ diagnostic: Diagnostic) throws
    /// The end of the scan, once.
    mutating func finish(_ summary: ScanSummary) throws
    /// A data-loss event or a roll-up from a follower.
    mutating func notice(_ notice: Notice) throws
}

extension AlertSink {
    public mutating func diagnose(_ diagnostic: Diagnostic) throws {}
    public mutating func notice(_ notice: Notice) throws {}
    public mutating func finish(_ summary: ScanSummary) throws {}
}

/// Keeps everything in memory: for tests and for programs embedding LeakWatchCore.
public struct CollectingSink: AlertSink {
    public private(set) var findings: [Finding] = []
    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var summary: ScanSummary?
    public private(set) var notices: [Notice] = []

    public init() {}

    public mutating func report(_ finding: Finding) throws { findings.append(finding) }
    public mutating func diagnose(_ diagnostic: Diagnostic) throws { diagnostics.append(diagnostic) }
    public mutating func finish(_ summary: ScanSummary) throws { self.summary = summary }
    public mutating func notice(_ notice: Notice) throws { notices.append(notice) }
}
