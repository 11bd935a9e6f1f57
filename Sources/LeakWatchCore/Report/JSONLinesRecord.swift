/// One line of `--format jsonl` output. See ``JSONLinesSink`` for the schema.
public enum JSONLinesRecord: Equatable, Sendable {
    case finding(FindingRecord)
    case error(ErrorRecord)
    case summary(SummaryRecord)
    case notice(NoticeRecord)

    /// The `data` of a `"notice"` record.
    public struct NoticeRecord: Codable, Equatable, Sendable {
        public var kind: Notice.Kind
        public var path: String
        public var message: String
        public var ruleID: String?
        public var fingerprint: String?
        public var count: Int?
        public var firstSeen: Double?
        public var lastSeen: Double?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case kind, path, message, ruleID = "rule_id", fingerprint, count, firstSeen = "first_seen", lastSeen = "last_seen"
        }

        public init(_ notice: Notice) {
            kind = notice.kind
            path = notice.path
            message = notice.message
            ruleID = notice.finding?.ruleID
            fingerprint = notice.finding?.fingerprint
            count = notice.count
            firstSeen = notice.firstSeen
            lastSeen = notice.lastSeen
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(path, forKey: .path)
            try container.encode(message, forKey: .message)
            try container.encode(ruleID, forKey: .ruleID)
            try container.encode(fingerprint, forKey: .fingerprint)
            try container.encode(count, forKey: .count)
            try container.encode(firstSeen, forKey: .firstSeen)
            try container.encode(lastSeen, forKey: .lastSeen)
        }
    }

    /// The `data` of a `"finding"` record.
    public struct FindingRecord: Codable, Equatable, Sendable {
        public var ruleID: String
        public var title: String
        public var severity: Severity
        public var category: Category
        public var cwe: String?
        public var path: String
        public var line: Int
        public var column: Int
        public var byteOffset: Int
        public var context: RuleContext
        public var excerpt: String
        public var fingerprint: String
        public var fix: String?
        public var truncated: Bool
        public var status: Int?
        public var event: EventRecord?
        public var lineIn: LineReference
        public var message: Int?
        public var requestMethod: String?
        public var requestURL: String?

        /// What a multi-line event (a stack trace) covers.
        public struct EventRecord: Codable, Equatable, Sendable {
            public var endLine: Int
            public var lines: Int
            public var exceptionType: String?
            public var frameFile: String?
            public var cut: Bool

            enum CodingKeys: String, CodingKey, CaseIterable {
                case endLine = "end_line", lines, exceptionType = "exception_type", frameFile = "frame_file", cut
            }

            public func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(endLine, forKey: .endLine)
                try container.encode(lines, forKey: .lines)
                try container.encode(exceptionType, forKey: .exceptionType)
                try container.encode(frameFile, forKey: .frameFile)
                try container.encode(cut, forKey: .cut)
            }
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case ruleID = "rule_id", title, severity, category, cwe, path, line, column
            case byteOffset = "byte_offset", context, excerpt, fingerprint, fix, truncated, status, event
            case lineIn = "line_in", message, requestMethod = "request_method", requestURL = "request_url"
        }

        public init(_ finding: Finding) {
            ruleID = finding.ruleID
            title = finding.title
            severity = finding.severity
            category = finding.category
            cwe = finding.cwe
            path = finding.path
            line = finding.line
            column = finding.column
            byteOffset = finding.byteOffset
            context = finding.context
            excerpt = finding.excerpt
            fingerprint = finding.fingerprint
            fix = finding.fix
            truncated = finding.isTruncated
            status = finding.status
            lineIn = finding.lineReference
            message = finding.message
            requestMethod = finding.requestMethod
            requestURL = finding.requestURL
            event = finding.event.map {
                EventRecord(endLine: $0.endLine, lines: $0.lineCount, exceptionType: $0.exceptionType,
                            frameFile: $0.frameFile, cut: $0.isCut)
            }
        }

        // Write `null` for absent optional fields, so every record has every key.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ruleID, forKey: .ruleID)
            try container.encode(title, forKey: .title)
            try container.encode(severity, forKey: .severity)
            try container.encode(category, forKey: .category)
            try container.encode(cwe, forKey: .cwe)
            try container.encode(path, forKey: .path)
            try container.encode(line, forKey: .line)
            try container.encode(column, forKey: .column)
            try container.encode(byteOffset, forKey: .byteOffset)
            try container.encode(context, forKey: .context)
            try container.encode(excerpt, forKey: .excerpt)
            try container.encode(fingerprint, forKey: .fingerprint)
            try container.encode(fix, forKey: .fix)
            try container.encode(truncated, forKey: .truncated)
            try container.encode(status, forKey: .status)
            try container.encode(event, forKey: .event)
            try container.encode(lineIn, forKey: .lineIn)
            try container.encode(message, forKey: .message)
            try container.encode(requestMethod, forKey: .requestMethod)
            try container.encode(requestURL, forKey: .requestURL)
        }
    }

    /// The `data` of an `"error"` record.
    public struct ErrorRecord: Codable, Equatable, Sendable {
        public var path: String
        public var line: Int?
        public var column: Int?
        public var message: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case path, line, column, message
        }

        public init(_ diagnostic: Diagnostic) {
            path = diagnostic.path
            line = diagnostic.line
            column = diagnostic.column
            message = diagnostic.message
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(line, forKey: .line)
            try container.encode(column, forKey: .column)
            try container.encode(message, forKey: .message)
        }
    }

    /// The `data` of the `"summary"` record.
    public struct SummaryRecord: Codable, Equatable, Sendable {
        public var inputs: Int
        public var inputsWithFindings: Int
        public var errors: Int
        public var bytes: Int
        public var lines: Int
        public var truncatedLines: Int
        public var findings: Int
        /// Findings per severity; every severity is present, zero or not.
        public var findingsBySeverity: [String: Int]
        public var elapsedSeconds: Double
        public var exitStatus: Int32

        enum CodingKeys: String, CodingKey, CaseIterable {
            case inputs, inputsWithFindings = "inputs_with_findings", errors, bytes, lines
            case truncatedLines = "truncated_lines", findings, findingsBySeverity = "findings_by_severity"
            case elapsedSeconds = "elapsed_seconds", exitStatus = "exit_status"
        }

        public init(_ summary: ScanSummary, exitStatus: Int32) {
            inputs = summary.inputs
            inputsWithFindings = summary.inputsWithFindings
            errors = summary.errors
            bytes = summary.bytes
            lines = summary.lines
            truncatedLines = summary.truncatedLines
            findings = summary.findings
            findingsBySeverity = Dictionary(uniqueKeysWithValues: Severity.allCases.map {
                ($0.rawValue, summary.findingsBySeverity[$0] ?? 0)
            })
            elapsedSeconds = (summary.elapsedSeconds * 1000).rounded() / 1000
            self.exitStatus = exitStatus
        }
    }
}

extension JSONLinesRecord: Codable {
    enum EnvelopeKeys: String, CodingKey, CaseIterable {
        case type, version, data
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: EnvelopeKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == JSONLinesSink.schemaVersion else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: container,
                                                   debugDescription: "unsupported schema version \(version)")
        }
        switch try container.decode(String.self, forKey: .type) {
        case "finding": self = .finding(try container.decode(FindingRecord.self, forKey: .data))
        case "error": self = .error(try container.decode(ErrorRecord.self, forKey: .data))
        case "summary": self = .summary(try container.decode(SummaryRecord.self, forKey: .data))
        case "notice": self = .notice(try container.decode(NoticeRecord.self, forKey: .data))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown record type '\(other)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: EnvelopeKeys.self)
        try container.encode(JSONLinesSink.schemaVersion, forKey: .version)
        switch self {
        case .finding(let data):
            try container.encode("finding", forKey: .type)
            try container.encode(data, forKey: .data)
        case .error(let data):
            try container.encode("error", forKey: .type)
            try container.encode(data, forKey: .data)
        case .summary(let data):
            try container.encode("summary", forKey: .type)
            try container.encode(data, forKey: .data)
        case .notice(let data):
            try container.encode("notice", forKey: .type)
            try container.encode(data, forKey: .data)
        }
    }
}
