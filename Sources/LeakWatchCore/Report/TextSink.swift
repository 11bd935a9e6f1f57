import Glibc

/// Writes findings for people: one `path:line:col: severity rule-id: title` line per
/// finding (the compiler layout, so editors can jump to it), the excerpt indented below,
/// and a summary line at the end.
///
/// Colour is used if and only if `useColor` is true; ``shouldUseColor(for:mode:)``
/// decides it from the terminal and `NO_COLOR`. Paths and excerpts never carry raw
/// control bytes (they are escaped), so a log line cannot drive the terminal.
public struct TextSink: AlertSink {
    public enum ColorMode: String, CaseIterable, Sendable {
        case auto, always, never
    }

    private let output: OutputStream
    private let useColor: Bool

    public init(output: OutputStream, useColor: Bool) {
        self.output = output
        self.useColor = useColor
    }

    /// Colour is on for `always`, off for `never`, and for `auto` on if and only if the
    /// output is a terminal and `NO_COLOR` is unset or empty (https://no-color.org).
    public static func shouldUseColor(for output: OutputStream, mode: ColorMode) -> Bool {
        switch mode {
        case .always: return true
        case .never: return false
        case .auto:
            if let value = getenv("NO_COLOR"), value.pointee != 0 { return false }
            return output.isTerminal
        }
    }

    public mutating func report(_ finding: Finding) throws {
        let (location, context) = TextSink.location(of: finding)
        var text = paint(location, "1") + " " + paint(finding.severity.rawValue, TextSink.color(of: finding.severity))
        text += " \(finding.ruleID): \(finding.title)"
        text += context
        if finding.isTruncated { text += " (in a line longer than the line cap)" }
        if let event = finding.event {
            var parts: [String] = []
            if let type = event.exceptionType { parts.append(Excerpt.escaped(type)) }
            if let file = event.frameFile { parts.append("in " + Excerpt.escaped(file)) }
            parts.append("lines \(finding.line)-\(event.endLine)" + (event.isCut ? ", cut" : ""))
            text += " (" + parts.joined(separator: " ") + ")"
        }
        text += "\n    " + finding.excerpt + "\n"
        try output.write(text)
        try output.flush()
    }

    public mutating func notice(_ notice: Notice) throws {
        try output.write("\(Excerpt.escaped(notice.path)): \(paint("notice", "1")): \(Excerpt.escaped(notice.message))\n")
        try output.flush()
    }

    /// `path:line:column:` for a line of the input, the compiler layout editors jump to,
    /// with ` [message 2, 500]` to follow the title in a capture; for a line that counts
    /// within a decoded body or a HAR entry, where that is:
    /// `capture.har: entry 3 (GET https://…, 500), body line 12:`.
    static func location(of finding: Finding) -> (location: String, afterTitle: String) {
        let path = Excerpt.escaped(finding.path)
        var request = [finding.requestMethod, finding.requestURL].compactMap { $0 }.joined(separator: " ")
        if let status = finding.status, finding.message != nil { request += request.isEmpty ? "\(status)" : ", \(status)" }
        let message = finding.message.map { index in
            (finding.requestMethod != nil ? "entry \(index)" : "message \(index)") + (request.isEmpty ? "" : " (\(Excerpt.escaped(request)))")
        }
        switch finding.lineReference {
        case .input:
            return ("\(path):\(finding.line):\(finding.column):", message.map { " [\($0)]" } ?? "")
        case .body:
            return ("\(path): \(message ?? "body"), body line \(finding.line):", "")
        case .headers:
            return ("\(path): \(message ?? "headers"), header \(finding.line):", "")
        }
    }

    public mutating func finish(_ summary: ScanSummary) throws {
        try output.write(TextSink.summaryLine(summary) + "\n")
        try output.flush()
    }

    /// E.g. `3 findings (1 critical, 2 high) in 2 of 5 inputs; 120 lines, 4.1 kB in 0.002 s`.
    static func summaryLine(_ summary: ScanSummary) -> String {
        var text: String
        if summary.findings == 0 {
            text = "no findings in \(plural(summary.inputs, "input"))"
        } else {
            let counts = Severity.allCases.reversed().compactMap { severity -> String? in
                guard let count = summary.findingsBySeverity[severity], count > 0 else { return nil }
                return "\(count) \(severity.rawValue)"
            }
            text = "\(plural(summary.findings, "finding")) (\(counts.joined(separator: ", "))) in \(summary.inputsWithFindings) of \(plural(summary.inputs, "input"))"
        }
        text += "; \(plural(summary.lines, "line")), \(byteCount(summary.bytes)) in \(fixed(summary.elapsedSeconds, 3)) s"
        if summary.truncatedLines > 0 { text += "; \(plural(summary.truncatedLines, "line")) over the line cap" }
        if summary.errors > 0 { text += "; \(plural(summary.errors, "error")) (see stderr)" }
        return text
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private static func byteCount(_ bytes: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : fixed(value, 1) + " " + units[unit]
    }

    private static func color(of severity: Severity) -> String {
        switch severity {
        case .critical: "1;31"
        case .high: "31"
        case .medium: "33"
        case .low: "36"
        case .info: "2"
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// Passes everything to `base` and also prints each diagnostic to standard error, one
/// line each, as `leakwatch: path:line: error: message`.
public struct StandardErrorDiagnostics<Base: AlertSink>: AlertSink {
    public private(set) var base: Base
    private let standardError: OutputStream

    public init(_ base: Base, standardError: OutputStream = OutputStream(descriptor: STDERR_FILENO)) {
        self.base = base
        self.standardError = standardError
    }

    public mutating func report(_ finding: Finding) throws { try base.report(finding) }

    public mutating func diagnose(_ diagnostic: Diagnostic) throws {
        // A failure to write to stderr must not stop the scan.
        try? standardError.write("leakwatch: \(Excerpt.escaped(diagnostic.description))\n")
        try? standardError.flush()
        try base.diagnose(diagnostic)
    }

    public mutating func notice(_ notice: Notice) throws { try base.notice(notice) }

    public mutating func finish(_ summary: ScanSummary) throws { try base.finish(summary) }
}
