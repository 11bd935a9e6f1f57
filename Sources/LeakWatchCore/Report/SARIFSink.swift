import Foundation

/// Writes a SARIF 2.1.0 log (what GitHub code scanning and other security dashboards
/// read): one run, its results streamed as findings come, then the tool with the rules
/// the results used (help text, CWE tag, a `security-severity`), and the problems met
/// with inputs as tool notifications.
///
/// JSON keeps no key order, so `results` is written before `tool`: memory holds only the
/// rules used and the notifications, never the results. Each result carries the
/// finding's fingerprint in `partialFingerprints` (`leakwatchFingerprint/v1`), so a
/// dashboard tracks one leak across scans. Secrets stay masked, as in every format.
public struct SARIFSink: AlertSink {
    private let output: OutputStream
    private let encoder: JSONEncoder
    private var rules: [Finding] = []
    private var ruleIndex: [String: Int] = [:]
    private var notifications: [Diagnostic] = []
    private var wroteResult = false
    private var started = false

    public init(output: OutputStream) {
        self.output = output
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// SARIF's level for a severity: `error` for critical and high, `warning` for medium,
    /// `note` below.
    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    /// The `security-severity` GitHub ranks alerts by (0.0 to 10.0; 9.0 and up is critical).
    static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        case .info: "0.0"
        }
    }

    public mutating func report(_ finding: Finding) throws {
        try start()
        let index: Int
        if let known = ruleIndex[finding.ruleID] {
            index = known
        } else {
            index = rules.count
            ruleIndex[finding.ruleID] = index
            rules.append(finding)
        }
        var region: [String: Any] = ["startLine": finding.line, "startColumn": finding.column,
                                     "snippet": ["text": finding.excerpt]]
        if let event = finding.event, finding.lineReference == .input { region["endLine"] = event.endLine }
        var properties: [String: Any] = ["severity": finding.severity.rawValue, "category": finding.category.rawValue,
                                         "context": finding.context.rawValue, "lineIn": finding.lineReference.rawValue]
        if let message = finding.message { properties["message"] = message }
        if let status = finding.status { properties["status"] = status }
        if let url = finding.requestURL { properties["requestURL"] = url }
        if let method = finding.requestMethod { properties["requestMethod"] = method }
        if let type = finding.event?.exceptionType { properties["exceptionType"] = type }
        if let file = finding.event?.frameFile { properties["frameFile"] = file }
        let result: [String: Any] = [
            "ruleId": finding.ruleID, "ruleIndex": index, "level": Self.level(finding.severity),
            "message": ["text": finding.title + ": " + finding.excerpt],
            "locations": [["physicalLocation": ["artifactLocation": ["uri": Self.uri(finding.path)], "region": region]]],
            "partialFingerprints": ["leakwatchFingerprint/v1": finding.fingerprint],
            "properties": properties,
        ]
        try output.write((wroteResult ? "," : "") + (try Self.json(result)))
        wroteResult = true
        try output.flush()
    }

    public mutating func diagnose(_ diagnostic: Diagnostic) throws {
        notifications.append(diagnostic)
    }

    public mutating func finish(_ summary: ScanSummary) throws {
        try start()
        let driverRules: [[String: Any]] = rules.map { finding in
            var tags = ["security", finding.category.rawValue]
            if let cwe = finding.cwe { tags.append("external/cwe/" + cwe.lowercased()) }
            return [
                "id": finding.ruleID, "name": finding.ruleID,
                "shortDescription": ["text": finding.title],
                "fullDescription": ["text": finding.title + (finding.cwe.map { " (\($0))" } ?? "")],
                "help": ["text": finding.fix ?? finding.title],
                "defaultConfiguration": ["level": Self.level(finding.severity)],
                "properties": ["tags": tags, "security-severity": Self.securitySeverity(finding.severity), "precision": "high"],
            ]
        }
        let tool: [String: Any] = ["driver": [
            "name": "LeakWatch", "semanticVersion": LeakWatchCommand.version, "version": LeakWatchCommand.version,
            "informationUri": "https://github.com/leakwatch/leakwatch", "rules": driverRules,
        ]]
        let invocation: [String: Any] = [
            "executionSuccessful": summary.errors == 0,
            "toolExecutionNotifications": notifications.map { diagnostic -> [String: Any] in
                var notification: [String: Any] = ["level": "error", "message": ["text": diagnostic.message]]
                var region: [String: Any] = [:]
                if let line = diagnostic.line { region["startLine"] = line }
                if let column = diagnostic.column { region["startColumn"] = column }
                var location: [String: Any] = ["artifactLocation": ["uri": Self.uri(diagnostic.path)]]
                if !region.isEmpty { location["region"] = region }
                notification["locations"] = [["physicalLocation": location]]
                return notification
            },
        ]
        try output.write("],\"tool\":" + (try Self.json(tool)) + ",\"invocations\":[" + (try Self.json(invocation)) + "]}]}\n")
        try output.flush()
    }

    private mutating func start() throws {
        guard !started else { return }
        started = true
        try output.write("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"results\":[")
    }

    /// A path as a URI reference: relative paths stay relative, characters URIs do not
    /// allow are percent-encoded.
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    private static func json(_ value: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
