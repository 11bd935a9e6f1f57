import Foundation
import Testing
@testable import LeakWatchCore

@Suite struct BuiltinRulesTests {
    @Test func theBuiltinRulesAreTheFilesInPatterns() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/patterns")
            .filter { $0.hasSuffix(".rules") }.sorted()
        #expect(BuiltinRules.files.map(\.path) == names.map { "patterns/" + $0 })
        for file in BuiltinRules.files {
            #expect(try String(contentsOfFile: repositoryRoot + "/" + file.path, encoding: .utf8) == file.text)
        }
    }

    @Test func everyBuiltinRuleHasKeywordsATitleAndAFix() {
        for rule in builtinRules.rules {
            #expect(!rule.keywords.isEmpty, "\(rule.id) has no keywords")
            #expect(rule.fix != nil, "\(rule.id) has no fix")
            #expect(rule.cwe != nil, "\(rule.id) has no cwe")
        }
        #expect(builtinRules.unfilteredRules.isEmpty)
    }

    @Test func theLibraryCoversEveryCategory() {
        #expect(builtinRules.rules.count >= 80)
        #expect(Set(builtinRules.rules.map(\.category)) == Set(Category.allCases))
    }

    /// Every rule is seen at work on a real capture or fixture, not only on its examples.
    @Test func everyRuleHasASampleThatExercisesIt() throws {
        var sink = CollectingSink()
        try Scanner(rules: builtinRules).scan(paths: [repositoryRoot + "/samples"], into: &sink)
        #expect(sink.diagnostics.isEmpty, "\(sink.diagnostics)")
        let exercised = Set(sink.findings.map(\.ruleID))
        let idle = builtinRules.rules.map(\.id).filter { !exercised.contains($0) }
        #expect(idle.isEmpty, "no sample under samples/ exercises: \(idle.joined(separator: ", "))")
    }

    /// What a debug-off server serves, ordinary assets and documentation, and near misses
    /// of every kind: nothing at `low` or above.
    @Test func benignSamplesGiveNothingAtLowOrAbove() throws {
        let benign = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/samples")
            .filter { $0.hasSuffix("-debug-off") }
            .flatMap { folder in
                try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/samples/" + folder)
                    .filter { $0.hasSuffix(".http") }.map { "samples/\(folder)/\($0)" }
            }
            + ["samples/benign", "samples/traces/benign-prose.log", "samples/traces/benign-errors.log"]
        var sink = CollectingSink()
        try Scanner(rules: builtinRules).scan(paths: benign.map { repositoryRoot + "/" + $0 }, into: &sink)
        let loud = sink.findings.filter { $0.severity >= .low }
        #expect(loud.isEmpty, "\(loud.map { "\($0.path):\($0.line): \($0.ruleID)" })")
        #expect(sink.summary?.inputs ?? 0 > 30)
    }

    @Test(arguments: builtinRules.rules.map(\.id))
    func examplesMatchAndLookalikesDoNot(ruleID: String) throws {
        let rule = try #require(builtinRules.rules.first { $0.id == ruleID })
        let report = RuleSelfTest.run(RuleSet(rules: [rule]))
        #expect(report.failures.isEmpty, "\(report.failures)")
        // And in the company of every other rule (the shared prefilter):
        #expect(RuleSelfTest.run(builtinRules).failures.filter { $0.ruleID == ruleID }.isEmpty)
    }

    @Test func selfTestCatchesAnExampleWithoutTheKeyword() throws {
        let rules = try ruleSet("""
            rule needs-keyword
              title     t
              severity  low
              category  secret
              keywords  token
              regex     secret=\\w+
              example   secret=abc
              not       nothing
            """)
        let report = RuleSelfTest.run(rules)
        #expect(report.failures.map(\.description) == [
            "test.rules:7:13: error: rule 'needs-keyword': example holds none of the keywords (token), so the regex never runs on it",
        ])
    }
}
