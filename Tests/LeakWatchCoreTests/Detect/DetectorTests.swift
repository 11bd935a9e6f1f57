import Testing
@testable import LeakWatchCore

/// Text with `⟨` marking where findings must start; returns the text without markers and
/// the expected `(line, column)` of each, columns in bytes (swift-format's marked text).
func marked(_ text: String) -> (text: String, positions: [(Int, Int)]) {
    var positions: [(Int, Int)] = []
    var clean = ""
    var line = 1, column = 1
    for character in text {
        if character == "⟨" { positions.append((line, column)); continue }
        clean.append(character)
        if character == "\n" { line += 1; column = 1 } else { column += character.utf8.count }
    }
    return (clean, positions)
}

let detectorRules = """
    rule pin
      title         PIN
      severity      critical
      category      secret
      keywords      pin
      regex         PIN: (\\d{3}-\\d{3}-\\d{3})
      secret-group  1
      example       PIN: 123-456-789
      not           PIN: none

    rule key
      title         Key
      severity      high
      category      secret
      keywords      key=
      regex         key=(\\w{8,})
      secret-group  1
      example       key=abcdefgh
      not           key=short

    rule body-only
      title         In bodies only
      severity      high
      category      traceback
      in            body
      keywords      traceback
      regex         Traceback
      example       Traceback
      not           trace
    """

@Suite struct DetectorTests {
    let rules: RuleSet

    init() throws {
        rules = try ruleSet(detectorRules)
    }

    @Test func findingsPointAtLineColumnAndByteOffset() {
        let input = marked("ok\nZoë ⟨PIN: 123-456-789 and ⟨key=abcdefghij\n\n  ⟨PIN: 000-111-222\n")
        let found = findings(in: input.text, rules: rules)
        #expect(found.map { ($0.line, $0.column) }.elementsEqual(input.positions, by: ==))
        #expect(found.map(\.ruleID) == ["pin", "key", "pin"])
        #expect(found[0].byteOffset == 3 + 5)
        #expect(found.allSatisfy { $0.path == "test.log" && $0.context == .log && !$0.isTruncated })
    }

    @Test func everySecretOnALineIsMaskedInEveryFinding() {
        let found = findings(in: "PIN: 123-456-789 key=supersecret1\n", rules: rules)
        #expect(found.count == 2)
        for finding in found {
            #expect(finding.excerpt == "PIN: [REDACTED] key=[REDACTED]")
            #expect(!finding.excerpt.contains("123-456-789") && !finding.excerpt.contains("supersecret1"))
            #expect(!finding.fingerprint.contains("123") && finding.hasSecret)
        }
    }

    @Test func showSecretsPrintsThemInClear() {
        var options = Detector.Options()
        options.showSecrets = true
        let found = findings(in: "PIN: 123-456-789\n", rules: rules, options: options)
        #expect(found.first?.excerpt == "PIN: 123-456-789")
    }

    @Test func fingerprintsIgnoreWhereAndDependOnWhat() {
        let first = findings(in: "PIN: 123-456-789\n", rules: rules, name: "a.log")
        let moved = findings(in: "x\ny\nsome prefix PIN: 123-456-789\n", rules: rules, name: "b.log.1")
        let other = findings(in: "PIN: 987-654-321\n", rules: rules, name: "a.log")
        #expect(first.first?.fingerprint == moved.first?.fingerprint)
        #expect(first.first?.fingerprint != other.first?.fingerprint)
        #expect(first.first?.fingerprint.hasPrefix("pin:") == true)
        #expect(first.first?.fingerprint.count == "pin:".count + 16)
    }

    @Test func rulesApplyOnlyInTheirContexts() {
        #expect(findings(in: "Traceback\n", rules: rules, context: .log).isEmpty)
        #expect(findings(in: "Traceback\n", rules: rules, context: .body).map(\.ruleID) == ["body-only"])
    }

    @Test func aMatchAcrossAPieceBoundaryIsFoundOnce() {
        // Cap 64, overlap 32: the match starts at 50, across the first boundary at 64.
        let line = String(repeating: "a", count: 50) + "PIN: 123-456-789" + String(repeating: "b", count: 100)
        let found = findings(in: line + "\nPIN: 000-000-000\n", rules: rules, maxLineBytes: 64)
        #expect(found.map { [$0.line, $0.column] } == [[1, 51], [2, 1]])
        #expect(found.map(\.isTruncated) == [true, false])
        #expect(found.first?.byteOffset == 50)
    }

    @Test func aMatchInsideTheOverlapIsNotReportedTwice() {
        let line = String(repeating: "a", count: 36) + "PIN: 123-456-789" + String(repeating: "b", count: 100)
        let found = findings(in: line, rules: rules, maxLineBytes: 64)
        #expect(found.map(\.column) == [37])
    }

    @Test func aRuleThatHitsItsMatchLimitIsReportedAndOthersStillRun() throws {
        let hostile = try ruleSet(detectorRules + """

            rule catastrophic
              title     Catastrophic
              severity  low
              category  secret
              keywords  aaa
              regex     ^(a|aa)+$
              example   aaaa
              not       b
            """)
        var options = Detector.Options()
        options.limits.matchLimit = 5_000
        let detector = Detector(rules: hostile, options: options)
        let text = "PIN: 123-456-789\n" + String(repeating: "a", count: 40) + "b PIN: 123-456-789\n" + String(repeating: "a", count: 40) + "c\n"
        let reader = LineReader(source: BytesSource(Array(text.utf8)))
        var found: [String] = []
        while let chunk = try reader.nextChunk() {
            detector.scan(chunk, source: SourceInfo(name: "x.log"), context: .log) { found.append("\($0.line):\($0.ruleID)") }
        }
        #expect(found == ["1:pin", "2:pin"])
        let failures = detector.takeMatchFailures()
        #expect(failures.count == 1)
        #expect(failures.first?.ruleID == "catastrophic" && failures.first?.line == 2 && failures.first?.count == 2)
        #expect(failures.first?.error.isResourceLimit == true)
        #expect(detector.takeMatchFailures().isEmpty)
    }
}
