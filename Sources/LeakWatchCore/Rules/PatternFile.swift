/// A grep-style pattern file (`--pattern-file`): one PCRE2 regex per line, the habit of
/// `grep -f` and `rg -f`, so a team's existing list runs unchanged.
///
/// Each line becomes a rule with id `FILE:LINE`, category `pattern`, severity `medium`,
/// in every context, its keywords derived from the literals the regex requires
/// (``RequiredLiterals``; none means the regex runs on every line). A `\r` before the
/// line end is dropped. An empty line is an error rather than grep's "match everything",
/// which in a leak scanner is always a slip.
///
/// - Complexity: O(n) in the file's length, plus one PCRE2 compile per line.
public enum PatternFile {
    /// The severity of every pattern rule.
    public static let severity = Severity.medium

    /// Reads and compiles the pattern file at `path`.
    ///
    /// - Returns: the rules in file order, or every error found (`FILE:LINE:COL`).
    public static func load(path: String) -> Result<[Rule], RuleLoadError> {
        switch RuleSet.readText(path, kind: "pattern file") {
        case .success(let text): rules(in: text, path: path)
        case .failure(let error): .failure(RuleLoadError([error]))
        }
    }

    /// Compiles the patterns of `text`, read from `path`.
    public static func rules(in text: String, path: String) -> Result<[Rule], RuleLoadError> {
        var rules: [Rule] = []
        var errors: [RuleFileError] = []
        // Split on bytes: as Characters, "\r\n" is one and would hide the line end.
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the file's final newline
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let regex = String(decoding: rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine, as: UTF8.self)
            guard !regex.isEmpty else {
                errors.append(RuleFileError(path: path, line: number, column: 1,
                                            message: "empty pattern (it would match every line); remove the line"))
                continue
            }
            do {
                let pattern = try PCRE2Pattern(regex)
                let location = Rule.Location(path: path, line: number, column: 1)
                rules.append(Rule(
                    id: "\(path):\(number)", title: "matches pattern \(regex)", severity: SeverityPolicy(severity),
                    category: .pattern, contexts: Set(RuleContext.allCases),
                    keywords: RequiredLiterals.derive(from: regex) ?? [], keywordsAreDerived: true,
                    pattern: pattern, event: nil, secretGroup: nil, statusGroup: nil, minEntropy: nil,
                    cwe: nil, fix: nil, examples: [], lookalikes: [], location: location))
            } catch {
                errors.append(RuleFileError(path: path, line: number, column: (error.patternOffset ?? 0) + 1,
                                            message: "\(error)"))
            }
        }
        if lines.isEmpty { errors.append(RuleFileError(path: path, line: 1, column: 1, message: "no patterns in file")) }
        return errors.isEmpty ? .success(rules) : .failure(RuleLoadError(errors))
    }
}
