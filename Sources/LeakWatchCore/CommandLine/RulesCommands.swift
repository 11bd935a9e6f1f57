/// `leakwatch rules list` and `leakwatch rules test`.
enum RulesCommands {
    static func list(_ arguments: RulesArguments, io: LeakWatchCommand.IO) -> ExitStatus {
        guard let rules = arguments.rules.load(standardError: io.standardError) else { return .error }
        let idWidth = rules.rules.map(\.id.count).max() ?? 0
        let severityWidth = rules.rules.map(\.severity.description.count).max() ?? 0
        var text = ""
        for rule in rules.rules {
            let keywords = rule.keywords.isEmpty ? "(none: costly, runs on every line)"
                : rule.keywords.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " ")
                    + (rule.keywordsAreDerived ? " (derived from the regex)" : "")
            text += rule.id.padded(to: idWidth + 2)
            text += rule.severity.description.padded(to: severityWidth + 2)
            text += rule.category.rawValue.padded(to: 22)
            text += rule.title + "\n"
            let contexts = RuleContext.allCases.filter(rule.contexts.contains).map(\.rawValue).joined(separator: " ")
            let kind = rule.event.map { "multi-line event (up to \($0.maxLines) lines); " } ?? ""
            text += String(repeating: " ", count: idWidth + 2) + kind + "keywords: \(keywords); in: \(contexts); \(rule.location.path):\(rule.location.line)\n"
            if let jitError = rule.pattern.jitError {
                text += String(repeating: " ", count: idWidth + 2) + "runs in PCRE2's interpreter (slower): JIT failed: \(jitError)\n"
            }
        }
        let costly = rules.unfilteredRules.count
        text += "\(rules.rules.count) rules" + (costly > 0 ? ", \(costly) without keywords (costly)" : "") + "\n"
        LeakWatchCommand.write(text, to: io.standardOutput)
        return .clean
    }

    static func test(_ arguments: RulesArguments, io: LeakWatchCommand.IO) -> ExitStatus {
        var choice = arguments.rules
        choice.builtin = arguments.rules.ruleFiles.isEmpty
        guard let rules = choice.load(standardError: io.standardError) else {
            return .error
        }
        let report = RuleSelfTest.run(rules)
        LeakWatchCommand.write(report.failures.map { "\($0)\n" }.joined(), to: io.standardError)
        let what = choice.builtin ? "built-in rules" : "rules"
        LeakWatchCommand.write("\(report.rulesTested) \(what), \(report.samplesTested) examples and look-alikes: \(report.failures.isEmpty ? "all pass" : "\(report.failures.count) failed")\n", to: io.standardOutput)
        return report.failures.isEmpty ? .clean : .findings
    }
}
