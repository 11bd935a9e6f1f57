import Foundation
import Testing
@testable import LeakWatchCore

@Suite struct RuleSetTests {
    /// Scans `paths` with `rules` and returns every finding, in order.
    func scan(_ paths: [String], _ rules: RuleSet) throws -> [Finding] {
        var sink = CollectingSink()
        try Scanner(rules: rules).scan(paths: paths, into: &sink)
        return sink.findings
    }

    /// A generated log (genlogs.py, the benchmark's generator) with a leak every ~500
    /// lines, of every kind, in a temporary directory.
    func generatedLog(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("generated.log")
        let made = try run("/usr/bin/env", ["python3", repositoryRoot + "/scripts/genlogs.py",
                                            "--size", "3M", "--seed", "7", "--leak-rate", "2e-3", "-q", path])
        try #require(made.status == 0, "genlogs.py failed: \(made.stderr)")
        return path
    }

    @Test func theBuiltinPrefilterLosesNoFinding() throws {
        let directory = try TemporaryDirectory()
        let paths = [repositoryRoot + "/samples", try generatedLog(in: directory)]
        let filtered = try scan(paths, builtinRules)
        let everyLine = try scan(paths, RuleSet(rules: builtinRules.rules, usesPrefilter: false))
        #expect(filtered.count > 500)
        #expect(filtered == everyLine)
    }

    /// The benchmark's 54 regexes (`rg -f` style) with keywords derived from them.
    @Test func derivedKeywordsLoseNoFinding() throws {
        let directory = try TemporaryDirectory()
        let rules = try PatternFile.load(path: repositoryRoot + "/scripts/patterns-baseline.txt").get()
        #expect(rules.count == 54)
        #expect(rules.filter(\.keywords.isEmpty).isEmpty, "every baseline regex has a literal")
        let paths = [repositoryRoot + "/samples", try generatedLog(in: directory)]
        let filtered = try scan(paths, RuleSet(rules: rules))
        let everyLine = try scan(paths, RuleSet(rules: rules, usesPrefilter: false))
        #expect(filtered.count > 500)
        #expect(filtered == everyLine)
    }

    @Test func filteringByCategoryKeepsThePrefilterChoice() {
        let off = RuleSet(rules: builtinRules.rules, usesPrefilter: false).filtered(categories: [.secret])
        #expect(!off.usesPrefilter && off.unfilteredRules.count == off.rules.count && !off.rules.isEmpty)
    }
}
