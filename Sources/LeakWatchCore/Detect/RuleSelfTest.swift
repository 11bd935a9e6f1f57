/// Checks every rule against its own `example` lines (each must produce a finding of
/// that rule) and `not` lines (none may), through the same prefilter and detector a scan
/// uses, so a keyword that the example lacks is caught too.
public enum RuleSelfTest {
    /// One example that did not behave.
    public struct Failure: Sendable, Equatable, CustomStringConvertible {
        public let ruleID: String
        public let location: Rule.Location
        public let message: String

        public var description: String { "\(location): error: rule '\(ruleID)': \(message)" }
    }

    /// The result of testing a rule set.
    public struct Report: Sendable {
        public let rulesTested: Int
        public let samplesTested: Int
        public let failures: [Failure]
    }

    /// Runs every example and look-alike of every rule in `rules`.
    public static func run(_ rules: RuleSet) -> Report {
        let detector = Detector(rules: rules)
        var failures: [Failure] = []
        var samples = 0
        for rule in rules.rules {
            let context = RuleContext.allCases.first { rule.contexts.contains($0) } ?? .log
            for example in rule.examples {
                samples += 1
                let found = ruleIDs(detector, example.text, context).filter { $0 == rule.id }.count
                if found == 0 {
                    failures.append(Failure(ruleID: rule.id, location: example.location,
                                            message: explainMiss(rule: rule, text: example.text)))
                } else if rule.event != nil, found > 1 {
                    failures.append(Failure(ruleID: rule.id, location: example.location,
                                            message: "example gives \(found) events, but must give one"))
                }
            }
            for lookalike in rule.lookalikes {
                samples += 1
                if ruleIDs(detector, lookalike.text, context).contains(rule.id) {
                    failures.append(Failure(ruleID: rule.id, location: lookalike.location,
                                            message: "look-alike matches, but must not"))
                }
            }
        }
        return Report(rulesTested: rules.rules.count, samplesTested: samples, failures: failures)
    }

    /// The rule id of each finding in `text`, read as an input of its own in `context`.
    static func ruleIDs(_ detector: Detector, _ text: String, _ context: RuleContext) -> [String] {
        var found: [String] = []
        let reader = LineReader(source: BytesSource(Array(text.utf8)))
        let source = SourceInfo(name: "<example>")
        while let chunk = try? reader.nextChunk() {
            detector.scan(chunk, source: source, context: context) { found.append($0.ruleID) }
        }
        detector.finishInput { found.append($0.ruleID) }
        _ = detector.takeMatchFailures()
        return found
    }

    private static func explainMiss(rule: Rule, text: String) -> String {
        let lowered = asciiLowercased(text)
        if !rule.keywords.isEmpty, !rule.keywords.contains(where: { lowered.contains($0) }) {
            return "example holds none of the keywords (\(rule.keywords.joined(separator: " "))), so the regex never runs on it"
        }
        return "example does not match, but must"
    }
}
