import Foundation
import Glibc
import Testing
@testable import LeakWatchCore

@Suite struct JSONLinesSinkTests {
    /// Scans `text` into a JSON Lines sink writing to a temporary file; returns the lines.
    func jsonLines(_ text: String, showSecrets: Bool = false, afterEachFinding: ((String) -> Void)? = nil) throws -> [String] {
        let directory = try TemporaryDirectory()
        let path = directory.file("out.jsonl")
        let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        defer { close(descriptor) }
        var options = Scanner.Options()
        options.detector.showSecrets = showSecrets
        let scanner = Scanner(rules: try ruleSet(detectorRules), options: options)
        struct Spy: AlertSink {
            var base: JSONLinesSink
            let check: ((String) -> Void)?
            let path: String
            mutating func report(_ finding: Finding) throws {
                try base.report(finding)
                check?(try String(contentsOfFile: path, encoding: .utf8))
            }
            mutating func diagnose(_ diagnostic: Diagnostic) throws { try base.diagnose(diagnostic) }
            mutating func finish(_ summary: ScanSummary) throws { try base.finish(summary) }
        }
        var sink = Spy(base: JSONLinesSink(output: OutputStream(descriptor: descriptor)) { _ in 1 },
                       check: afterEachFinding, path: path)
        var summary = ScanSummary()
        try scanner.scan(BytesSource(Array(text.utf8)), info: SourceInfo(name: "app.log"), into: &sink, summary: &summary)
        try sink.finish(summary)
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func recordsDecodeBackIntoTypes() throws {
        let lines = try jsonLines("start\nPIN: 123-456-789 key=abcdefghij\n")
        let records = try lines.map { try JSONDecoder().decode(JSONLinesRecord.self, from: Data($0.utf8)) }
        #expect(records.count == 3)
        guard case .finding(let pin) = records[0], case .finding(let key) = records[1], case .summary(let summary) = records[2] else {
            Issue.record("unexpected record types: \(records)")
            return
        }
        #expect(pin.ruleID == "pin" && pin.line == 2 && pin.column == 1 && pin.byteOffset == 6 && pin.severity == .critical)
        #expect(pin.excerpt == "PIN: [REDACTED] key=[REDACTED]")
        #expect(key.ruleID == "key" && key.column == 18 && key.path == "app.log" && key.cwe == nil && key.fix == nil)
        #expect(summary.findings == 2 && summary.lines == 2 && summary.inputs == 1 && summary.exitStatus == 1)
        #expect(summary.findingsBySeverity == ["info": 0, "low": 0, "medium": 0, "high": 1, "critical": 1])
    }

    @Test func everyRecordHasExactlyTheDocumentedKeys() throws {
        let lines = try jsonLines("PIN: 123-456-789\n")
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["type", "version", "data"])
            #expect(object["version"] as? Int == JSONLinesSink.schemaVersion)
            let data = try #require(object["data"] as? [String: Any])
            switch object["type"] as? String {
            case "finding":
                #expect(Set(data.keys) == Set(JSONLinesRecord.FindingRecord.CodingKeys.allCases.map(\.rawValue)))
            case "summary":
                #expect(Set(data.keys) == Set(JSONLinesRecord.SummaryRecord.CodingKeys.allCases.map(\.rawValue)))
            default:
                Issue.record("unexpected record \(line)")
            }
        }
    }

    @Test func eachFindingIsOnDiskBeforeTheNextIsFound() throws {
        var seen: [Int] = []
        _ = try jsonLines("PIN: 111-111-111\nPIN: 222-222-222\n") { written in
            seen.append(written.split(separator: "\n").count)
        }
        #expect(seen == [1, 2])
    }

    @Test func noSecretReachesTheOutputUnlessAsked() throws {
        let text = "PIN: 123-456-789 key=abcdefghij\n"
        let hidden = try jsonLines(text).joined()
        #expect(!hidden.contains("123-456-789") && !hidden.contains("abcdefghij"))
        let shown = try jsonLines(text, showSecrets: true).joined()
        #expect(shown.contains("123-456-789") && shown.contains("abcdefghij"))
    }

    @Test func slashesAreNotEscaped() throws {
        let lines = try jsonLines("PIN: 123-456-789 /var/log\n")
        #expect(lines[0].contains("/var/log"))
    }
}
