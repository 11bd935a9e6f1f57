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

    /// Rules whose hand-written keywords the regex analysis cannot confirm, each read by
    /// hand and found to cover every match. A rule leaves this list when the analysis
    /// learns to see it; a new one joins only after the same reading.
    static let keywordsReviewedByHand: [String: String] = [
        "config-dotenv-sensitive-line": "17 names before `=`: more than the analysis spells out",
        "werkzeug-server-header": "(?i) with a k: PCRE2 also matches U+212A there",
        "symfony-profiler-token": "(?i) with a k",
        "werkzeug-debugger-pin-disabled": "(?i) with an s",
        "secret-app-secret-key": "(?i) with an s and a k",
        "secret-aws-secret-access-key": "(?i) with an s and a k",
        "secret-password-assignment": "(?i) with an s",
        "secret-db-url-password": "14 schemes, each followed by :// or +",
        "path-unix-deploy-file": "(*SKIP)(*FAIL) branch; the path alternation starts each keyword",
        "path-python-library": "(*SKIP)(*FAIL) branch; /lib/python or (site|dist)-packages",
        "path-source-file-with-line": "(*SKIP)(*FAIL) branch; one keyword per extension",
        "path-windows": "[a-z]:\\ always holds :\\",
        "secret-github-token": "gh[pousr]_: one keyword per letter",
        "secret-slack-user-token": "xox[pe]-: one keyword per letter",
        "node-stack-trace": "optional [A-Z] prefix, then Error: / Exception: / Error [ERR_",
    ]

    /// A keyword list that misses one way the regex can match loses findings silently
    /// (the regex never runs on that line): every stated list is shown to cover its
    /// regex, or was reviewed by hand.
    @Test func statedKeywordsCoverEveryMatch() {
        var unconfirmed: [String] = []
        for rule in builtinRules.rules where !rule.keywordsAreDerived {
            if !RequiredLiterals.keywordsCover(rule.pattern.source, keywords: rule.keywords) { unconfirmed.append(rule.id) }
        }
        #expect(unconfirmed.sorted() == Self.keywordsReviewedByHand.keys.sorted())
    }

    @Test func theLibraryCoversEveryCategory() {
        #expect(builtinRules.rules.count >= 80)
        // `.pattern` is the category of --pattern-file rules, never of a built-in one.
        #expect(Set(builtinRules.rules.map(\.category)) == Set(Category.allCases).subtracting([.pattern]))
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
