import Testing
@testable import LeakWatchCore

@Suite struct PatternFileTests {
    func errors(_ text: String) -> [String] {
        guard case .failure(let failure) = PatternFile.rules(in: text, path: "p.txt") else { return [] }
        return failure.errors.map(\.description)
    }

    @Test func eachLineIsARuleNamedFileColonLine() throws {
        let rules = try PatternFile.rules(in: "Debugger PIN: [0-9-]+\r\n[0-9]+\n", path: "p.txt").get()
        #expect(rules.map(\.id) == ["p.txt:1", "p.txt:2"])
        #expect(rules.map(\.title) == ["matches pattern Debugger PIN: [0-9-]+", "matches pattern [0-9]+"])
        #expect(rules.allSatisfy { $0.severity == SeverityPolicy(.medium) && $0.category == .pattern })
        #expect(rules.allSatisfy { $0.contexts == Set(RuleContext.allCases) })
        // Keywords come from the regex; one without a usable literal runs on every line.
        #expect(rules[0].keywords == ["debugger pin: "] && rules[0].keywordsAreDerived)
        #expect(rules[1].keywords.isEmpty)
        #expect(RuleSet(rules: rules).unfilteredRules == [1])
    }

    @Test func mistakesNameTheFileLineAndColumn() {
        #expect(errors("ok\n\nfine\n") == ["p.txt:2:1: error: empty pattern (it would match every line); remove the line"])
        let bad = errors("ok\nab(c\n")
        #expect(bad.count == 1 && bad[0].hasPrefix("p.txt:2:5: error: "))
        #expect(errors("") == ["p.txt:1:1: error: no patterns in file"])
        guard case .failure(let missing) = PatternFile.load(path: "/nonexistent/p.txt") else { return #expect(Bool(false)) }
        #expect(missing.description == "/nonexistent/p.txt:1:1: error: cannot read pattern file: no such file or directory")
    }

    @Test func theFileMatchesWhatGrepMatches() throws {
        let rules = try PatternFile.rules(in: "Traceback \\(most recent call last\\):\nsecret=[a-z]+\n", path: "p.txt").get()
        let found = findings(in: "ok\nTraceback (most recent call last):\nthe SECRET=abc\nsecret=abc\n", rules: RuleSet(rules: rules))
        #expect(found.map(\.ruleID) == ["p.txt:1", "p.txt:2"])
        #expect(found.map(\.line) == [2, 4])
    }
}
