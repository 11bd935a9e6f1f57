import FoundationEssentials

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
        var region: [String: JSONValue] = ["startLine": .int(finding.line), "startColumn": .int(finding.column),
                                           "snippet": ["text": .string(finding.excerpt)]]
        if let event = finding.event, finding.lineReference == .input { region["endLine"] = .int(event.endLine) }
        var properties: [String: JSONValue] = [
            "severity": .string(finding.severity.rawValue), "category": .string(finding.category.rawValue),
            "context": .string(finding.context.rawValue), "lineIn": .string(finding.lineReference.rawValue),
        ]
        if let message = finding.message { properties["message"] = .int(message) }
        if let status = finding.status { properties["status"] = .int(status) }
        if let url = finding.requestURL { properties["requestURL"] = .string(url) }
        if let method = finding.requestMethod { properties["requestMethod"] = .string(method) }
        if let type = finding.event?.exceptionType { properties["exceptionType"] = .string(type) }
        if let file = finding.event?.frameFile { properties["frameFile"] = .string(file) }
        let location: JSONValue = ["physicalLocation": ["artifactLocation": ["uri": .string(Self.uri(finding.path))],
                                                        "region": .object(region)]]
        let result: [String: JSONValue] = [
            "ruleId": .string(finding.ruleID), "ruleIndex": .int(index), "level": .string(Self.level(finding.severity)),
            "message": ["text": .string(finding.title + ": " + finding.excerpt)],
            "locations": [location],
            "partialFingerprints": ["leakwatchFingerprint/v1": .string(finding.fingerprint)],
            "properties": .object(properties),
        ]
        try output.write((wroteResult ? "," : "") + (try json(result)))
        wroteResult = true
        try output.flush()
    }

    public mutating func diagnose(_ diagnostic: Diagnostic) throws {
        notifications.append(diagnostic)
    }

    public mutating func finish(_ summary: ScanSummary) throws {
        try start()
        let driverRules: [JSONValue] = rules.map { finding in
            var tags: [JSONValue] = ["security", .string(finding.category.rawValue)]
            if let cwe = finding.cwe { tags.append(.string("external/cwe/" + cwe.lowercased())) }
            return [
                "id": .string(finding.ruleID), "name": .string(finding.ruleID),
                "shortDescription": ["text": .string(finding.title)],
                "fullDescription": ["text": .string(finding.title + (finding.cwe.map { " (\($0))" } ?? ""))],
                "help": ["text": .string(finding.fix ?? finding.title)],
                "defaultConfiguration": ["level": .string(Self.level(finding.severity))],
                "properties": ["tags": .array(tags), "security-severity": .string(Self.securitySeverity(finding.severity)),
                               "precision": "high"],
            ]
        }
        let tool: [String: JSONValue] = ["driver": [
            "name": "LeakWatch", "semanticVersion": .string(LeakWatchCommand.version),
            "version": .string(LeakWatchCommand.version),
            "informationUri": "https://github.com/leakwatch/leakwatch", "rules": .array(driverRules),
        ]]
        let notifications: [JSONValue] = notifications.map { diagnostic in
            var region: [String: JSONValue] = [:]
            if let line = diagnostic.line { region["startLine"] = .int(line) }
            if let column = diagnostic.column { region["startColumn"] = .int(column) }
            var location: [String: JSONValue] = ["artifactLocation": ["uri": .string(Self.uri(diagnostic.path))]]
            if !region.isEmpty { location["region"] = .object(region) }
            return ["level": "error", "message": ["text": .string(diagnostic.message)],
                    "locations": [["physicalLocation": .object(location)]]]
        }
        let invocation: [String: JSONValue] = [
            "executionSuccessful": .bool(summary.errors == 0),
            "toolExecutionNotifications": .array(notifications),
        ]
        try output.write("],\"tool\":" + (try json(tool)) + ",\"invocations\":[" + (try json(invocation)) + "]}]}\n")
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
        // RFC 3986 path characters (unreserved, sub-delims, "@", "/"), less ":" so a
        // relative path is never read as a scheme.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=@/".utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in path.utf8 {
            if allowed.contains(byte) {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private func json(_ value: [String: JSONValue]) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
