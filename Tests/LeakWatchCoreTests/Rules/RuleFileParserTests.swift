import Testing
@testable import LeakWatchCore

@Suite struct RuleFileParserTests {
    let valid = """
        # a comment
        rule demo-pin
          title         Demo PIN
          severity      critical
          category      secret
          keywords      pin
          regex         PIN: (\\d+) # not a comment
          secret-group  1
          example       PIN: 123
          not           PIN: none

        """

    func errors(_ text: String, path: String = "bad.rules") -> [String] {
        switch RuleSet.load([RuleFileText(path: path, text: text)]) {
        case .success: return []
        case .failure(let failure): return failure.errors.map(\.description)
        }
    }

    @Test func parsesAStanzaVerbatim() throws {
        let (specs, errors) = RuleFileParser.parse(valid, path: "x.rules")
        #expect(errors.isEmpty)
        let spec = try #require(specs.first)
        #expect(spec.id == "demo-pin" && spec.line == 2)
        #expect(spec.fields["regex"] == RuleSpec.Value(text: "PIN: (\\d+) # not a comment", line: 7, column: 17))
        #expect(spec.examples.map(\.text) == ["PIN: 123"])
        #expect(spec.lookalikes.map(\.text) == ["PIN: none"])
    }

    @Test func threeMistakesAreAllReportedWithLineAndColumn() {
        let text = """
            rule three-mistakes
              title         Three mistakes
              severity      hgih
              category      secret
              regx          abc
              regex         ab(c
              example       abc
              not           xyz
            """
        #expect(errors(text) == [
            "bad.rules:3:17: error: unknown severity 'hgih'; did you mean 'high'?; expected one of info, low, medium, high, critical",
            "bad.rules:5:3: error: unknown field 'regx'; did you mean 'regex'?",
            "bad.rules:6:21: error: regex: missing closing parenthesis (PCRE2 error 114 at offset 4)",
        ])
    }

    @Test func missingFieldsAreReportedAtTheRuleLine() {
        let text = """
            rule bare
              title  Bare
            """
        #expect(errors(text) == [
            "bad.rules:1:1: error: rule 'bare' has no severity",
            "bad.rules:1:1: error: rule 'bare' has no category",
            "bad.rules:1:1: error: rule 'bare' has no regex",
            "bad.rules:1:1: error: rule 'bare' has no example (every rule needs text it must match)",
            "bad.rules:1:1: error: rule 'bare' has no 'not' (every rule needs a look-alike it must not match)",
        ])
    }

    @Test func duplicateIdsAreFoundAcrossFiles() {
        let result = RuleSet.load([RuleFileText(path: "a.rules", text: valid), RuleFileText(path: "b.rules", text: "\n" + valid)])
        guard case .failure(let failure) = result else {
            Issue.record("loaded two rules with one id")
            return
        }
        #expect(failure.errors.map(\.description) == ["b.rules:3:6: error: rule 'demo-pin' is already defined at a.rules:2"])
    }

    @Test func unknownCategoryAndContextSuggestTheClosest() {
        let text = valid.replacingOccurrences(of: "category      secret", with: "category      secrets\n  in            lgo body")
        #expect(errors(text) == [
            "bad.rules:5:17: error: unknown category 'secrets'; did you mean 'secret'?; expected one of debugger-exposed, debug-mode-on, traceback, framework-debug-page, path-disclosure, config-dump, secret, debugger-probe, pattern",
            "bad.rules:6:17: error: unknown context 'lgo'; did you mean 'log'?; expected one of log, header, body",
        ])
    }

    @Test func structuralMistakes() {
        let text = """
              title  before any rule
            rule Bad_Id
              title  x
              title  y
              fix
            stanza multi
            """
        #expect(errors(text) == [
            "bad.rules:1:3: error: field 'title' is outside a rule; start a stanza with 'rule <id>'",
            "bad.rules:2:1: error: rule 'Bad_Id' has no severity",
            "bad.rules:2:1: error: rule 'Bad_Id' has no category",
            "bad.rules:2:1: error: rule 'Bad_Id' has no regex",
            "bad.rules:2:1: error: rule 'Bad_Id' has no example (every rule needs text it must match)",
            "bad.rules:2:1: error: rule 'Bad_Id' has no 'not' (every rule needs a look-alike it must not match)",
            "bad.rules:2:6: error: invalid rule id 'Bad_Id': use lowercase letters, digits and '-', starting with a letter or digit",
            "bad.rules:4:3: error: field 'title' is already set at line 3",
            "bad.rules:5:6: error: field 'fix' has no value",
            "bad.rules:6:1: error: expected 'rule <id>' or 'event <id>' to start a stanza, found 'stanza'",
        ])
    }

    @Test func secretGroupMustExist() {
        let text = valid.replacingOccurrences(of: "secret-group  1", with: "secret-group  2")
        #expect(errors(text) == ["bad.rules:8:17: error: secret-group 2 does not exist: the regex has 1 capture group"])
    }

    @Test func anEmptyFileIsAnError() {
        #expect(errors("# only a comment\n") == ["bad.rules:1:1: error: no rules in file"])
    }

    @Test func crlfLineEndsAreAccepted() throws {
        let rules = try ruleSet(valid.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(rules.rules.first?.pattern.source == "PIN: (\\d+) # not a comment")
    }
}

@Suite struct RuleFilesReadingTests {
    @Test func aRulesDirectoryIsWalkedForRulesFilesOnly() throws {
        let directory = try TemporaryDirectory()
        try directory.write("b.rules", "rule b\n")
        try directory.write("nested/a.rules", "rule a\n")
        try directory.write("README.md", "not rules")
        let files = try RuleSet.readFiles([directory.path])
        #expect(files.map(\.path) == [directory.file("b.rules"), directory.file("nested/a.rules")])
    }

    @Test func missingPathsAndEmptyDirectoriesAreAllReported() throws {
        let directory = try TemporaryDirectory()
        try directory.write("notes.txt", "")
        #expect {
            try RuleSet.readFiles(["/nonexistent/x.rules", directory.path])
        } throws: { error in
            (error as? RuleLoadError)?.errors.map(\.description) == [
                "/nonexistent/x.rules:1:1: error: cannot read rule file: no such file or directory",
                "\(directory.path):1:1: error: no .rules files in directory",
            ].sorted()
        }
    }
}
