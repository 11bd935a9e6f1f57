import Foundation
import Glibc
import Testing
@testable import LeakWatchCore

@Suite(.serialized) struct TextSinkTests {
    func text(_ input: String, name: String = "app.log", color: Bool = false) throws -> String {
        let directory = try TemporaryDirectory()
        let path = directory.file("out.txt")
        let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        defer { close(descriptor) }
        var sink = TextSink(output: OutputStream(descriptor: descriptor), useColor: color)
        try Scanner(rules: try ruleSet(detectorRules)).scan(BytesSource(Array(input.utf8)), info: SourceInfo(name: name),
                                                            into: &sink, summary: &SummaryBox.scratch)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    enum SummaryBox { nonisolated(unsafe) static var scratch = ScanSummary() }

    @Test func findingsUseTheCompilerLayoutWithTheExcerptBelow() throws {
        #expect(try text("x\n  PIN: 123-456-789\n") == "app.log:2:3: critical pin: PIN\n      PIN: [REDACTED]\n")
    }

    @Test func aLogLineCannotDriveTheTerminal() throws {
        let output = try text("\u{1B}]0;pwned\u{07}\u{1B}[2J PIN: 123-456-789\n", name: "evil\u{1B}[31m.log")
        #expect(!output.contains("\u{1B}"))
        #expect(output.hasPrefix("evil\\x1b[31m.log:1:"))
    }

    @Test func colourOnlyWhenAsked() throws {
        #expect(try text("PIN: 123-456-789\n", color: true).contains("\u{1B}[1;31mcritical\u{1B}[0m"))
        #expect(!(try text("PIN: 123-456-789\n", color: false)).contains("\u{1B}"))
    }

    @Test func autoColourFollowsTheTerminalAndNO_COLOR() throws {
        let directory = try TemporaryDirectory()
        let file = open(directory.file("plain"), O_RDWR | O_CREAT, 0o600)
        defer { close(file) }
        #expect(!TextSink.shouldUseColor(for: OutputStream(descriptor: file), mode: .auto))
        #expect(TextSink.shouldUseColor(for: OutputStream(descriptor: file), mode: .always))

        let (primary, secondary) = try openPseudoTerminal()
        defer { close(primary); close(secondary) }
        let terminal = OutputStream(descriptor: secondary)
        unsetenv("NO_COLOR")
        #expect(TextSink.shouldUseColor(for: terminal, mode: .auto))
        setenv("NO_COLOR", "1", 1)
        #expect(!TextSink.shouldUseColor(for: terminal, mode: .auto))
        #expect(!TextSink.shouldUseColor(for: terminal, mode: .never))
        unsetenv("NO_COLOR")
    }

    @Test func summaryLineCountsBySeverity() {
        var summary = ScanSummary()
        summary.inputs = 3
        summary.inputsWithFindings = 1
        summary.findings = 3
        summary.findingsBySeverity = [.critical: 1, .low: 2]
        summary.lines = 10
        summary.bytes = 2_500
        summary.errors = 1
        #expect(TextSink.summaryLine(summary) == "3 findings (1 critical, 2 low) in 1 of 3 inputs; 10 lines, 2.5 kB in 0.000 s; 1 error (see stderr)")
    }
}
