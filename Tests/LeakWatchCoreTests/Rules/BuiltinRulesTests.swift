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
