import Testing
@testable import LeakWatchCore

/// The `event` stanza, `|` continuation lines and the fields added with them.
@Suite struct EventStanzaTests {
    let event = """
        event demo-trace
          title         Demo trace
          severity      low body=high
          category      traceback
          keywords      trace
          start         Trace:
          continue      ^\\s+at (?<file>\\S+)
          end           ^(?<type>\\w+Error)
          frame         at (?<file>\\S+)
          library       ^/usr/
          max-lines     50
          example       Trace:
          |               at /srv/app.js
          |             TypeError
          not           Trace: once
        """

    func errors(_ text: String) -> [String] {
        switch RuleSet.load([RuleFileText(path: "bad.rules", text: text)]) {
        case .success: return []
        case .failure(let failure): return failure.errors.map(\.description)
        }
    }

    @Test func continuationLinesLineUpWithTheValue() throws {
        let (specs, errors) = RuleFileParser.parse(event, path: "x.rules")
        #expect(errors.isEmpty)
        let spec = try #require(specs.first)
        #expect(spec.isEvent)
        #expect(spec.examples.map(\.text) == ["Trace:\n  at /srv/app.js\nTypeError"])
        let rule = try #require(try ruleSet(event).rules.first)
        #expect(rule.event?.maxLines == 50 && rule.event?.minLines == 2)
        #expect(rule.event?.endTypeGroup == 1 && rule.event?.frameFileGroup == 1 && rule.event?.startTypeGroup == nil)
        #expect(rule.severity == SeverityPolicy(.low, overrides: [.init(condition: .context(.body), severity: .high)]))
    }

    @Test func continuationMistakes() {
        #expect(errors("rule x\n  | stray\n") .contains("bad.rules:2:3: error: '|' continues an 'example' or 'not' line, but none comes before it"))
        let shifted = event.replacingOccurrences(of: "  |             TypeError", with: "  |     TypeError")
        #expect(errors(shifted) == ["bad.rules:14:9: error: continued text must start at column 17, where the example value above starts"])
    }

    @Test func fieldsOfTheOtherKindAreRefused() {
        let eventWithRegex = event.replacingOccurrences(of: "  max-lines     50", with: "  regex         x\n  max-lines     0")
        #expect(errors(eventWithRegex) == [
            "bad.rules:11:17: error: 'regex' is a field of a 'rule'; an event has 'start', 'continue' and 'end'",
            "bad.rules:12:17: error: max-lines must be a whole number from 1 to 100000, found '0'",
        ])
        let ruleWithStart = """
            rule x
              title         X
              severity      low
              category      traceback
              regex         x
              start         y
              example       x
              not           y
            """
        #expect(errors(ruleWithStart) == ["bad.rules:6:17: error: 'start' belongs to an 'event' stanza; write 'event x' to gather lines"])
        let noContinue = event.replacingOccurrences(of: "  continue      ^\\s+at (?<file>\\S+)\n", with: "")
        #expect(errors(noContinue) == ["bad.rules:1:1: error: rule 'demo-trace' has no continue (the lines that join the event)"])
        let frameWithoutFile = event.replacingOccurrences(of: "frame         at (?<file>\\S+)", with: "frame         at (\\S+)")
        #expect(errors(frameWithoutFile) == ["bad.rules:9:17: error: frame needs a group '(?<file>…)' naming the frame's source file"])
    }

    @Test func severityConditionsAndTheirMistakes() {
        let policy = SeverityPolicy.parse("medium 2xx=high body=critical")
        #expect(policy.policy?.resolve(context: .log, status: 404) == .medium)
        #expect(policy.policy?.resolve(context: .log, status: 200) == .high)
        #expect(policy.policy?.resolve(context: .body, status: 200) == .critical)
        #expect(policy.policy?.highest == .critical && policy.policy?.description == "medium 2xx=high body=critical")
        #expect(SeverityPolicy.parse("low boddy=hgih 6xx=high high").errors.map(\.message) == [
            "unknown severity condition 'boddy'; did you mean 'body'?; expected one of log, header, body, 1xx, 2xx, 3xx, 4xx, 5xx",
            "unknown severity condition '6xx'; did you mean '1xx'?; expected one of log, header, body, 1xx, 2xx, 3xx, 4xx, 5xx",
            "severity has one base level; write a condition as '<condition>=<level>', e.g. 'body=high'",
        ])
        #expect(SeverityPolicy.parse("body=high").errors.map(\.offset) == [0])
    }

    @Test func statusConditionsNeedAStatus() {
        let rule = """
            rule probe
              title         Probe
              severity      medium 2xx=high
              category      debugger-probe
              in            log
              regex         "GET /console HTTP/1.1" (\\d{3})
              min-entropy   9
              example       "GET /console HTTP/1.1" 200
              not           "GET / HTTP/1.1" 200
            """
        #expect(errors(rule) == [
            "bad.rules:3:17: error: a status condition needs a 'status-group' (or the rule to run in header or body)",
            "bad.rules:7:17: error: min-entropy must be a number of bits per byte from 0 to 8, found '9'",
        ])
    }
}
