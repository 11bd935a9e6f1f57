/// Runs a rule set over chunks of lines and reports a ``Finding`` for every match.
///
/// For each chunk, the keyword prefilter finds in one pass which lines hold which rules'
/// keywords; only those rules' regexes run, and only on those lines (plus rules without
/// keywords, on every line). Every match on a line is collected before findings are
/// made, so each finding's excerpt masks every secret on the line, not only its own.
///
/// One detector per thread: it owns the PCRE2 match data (created once per rule, here)
/// and is not Sendable.
///
/// - Complexity: O(n) in the bytes scanned for the prefilter; regexes run only on
///   candidate lines, each bounded by ``PCRE2Limits``.
public final class Detector {
    public struct Options: Sendable {
        /// Print secrets in clear instead of masking them. This is false by default.
        public var showSecrets = false
        /// Matches of one rule on one line reported at most. This is 16 by default.
        public var maxMatchesPerLine = 16
        public var limits = PCRE2Limits()

        public init() {}
    }

    public let rules: RuleSet
    public let options: Options
    private let matchers: [PCRE2Matcher]
    private var scratch: KeywordPrefilter.Scratch
    private var lineMatches: [LineMatch] = []
    /// The first failure of each rule on the current input, in order of occurrence.
    private var failures: [MatchFailure] = []

    private struct LineMatch {
        let rule: Int
        let range: ByteRange
        let secret: ByteRange?
    }

    public init(rules: RuleSet, options: Options = Options()) {
        self.rules = rules
        self.options = options
        let context = PCRE2MatchContext(limits: options.limits)
        self.matchers = rules.rules.map { PCRE2Matcher(pattern: $0.pattern, context: context) }
        self.scratch = KeywordPrefilter.Scratch(ruleCount: rules.rules.count)
    }

    /// Scans every line of `chunk`, read from `source` in `context`, calling `report`
    /// with each finding in line order (and, within a line, in order of position).
    public func scan(_ chunk: Chunk, source: SourceInfo, context: RuleContext,
                     report: (Finding) throws -> Void) rethrows {
        let unfiltered = rules.unfilteredRules
        try rules.prefilter.scanLines(chunk.bytes, everyLine: !unfiltered.isEmpty, scratch: &scratch) {
            index, start, end, candidates in
            let line = chunk.line(index, from: start, to: end)
            collectMatches(in: line, source: source, context: context, candidates: candidates, unfiltered: unfiltered)
            if !lineMatches.isEmpty {
                try reportMatches(in: line, source: source, context: context, report: report)
            }
        }
    }

    /// The rules that failed on some line since the last call, first failure and count
    /// for each; the record is then cleared (call it after each input).
    public func takeMatchFailures() -> [MatchFailure] {
        defer { failures = [] }
        return failures
    }

    private func collectMatches(in line: Line, source: SourceInfo, context: RuleContext,
                                candidates: [Int32], unfiltered: [Int]) {
        lineMatches.removeAll(keepingCapacity: true)
        for candidate in candidates { match(rule: Int(candidate), in: line, source: source, context: context) }
        for rule in unfiltered { match(rule: rule, in: line, source: source, context: context) }
        if lineMatches.count > 1 {
            lineMatches.sort { ($0.range.start, $0.rule) < ($1.range.start, $1.rule) }
        }
    }

    private func match(rule index: Int, in line: Line, source: SourceInfo, context: RuleContext) {
        let rule = rules.rules[index]
        guard rule.contexts.contains(context) else { return }
        let matcher = matchers[index]
        let overlap = line.piece?.overlap ?? 0
        do {
            _ = try matcher.forEachMatch(in: line.bytes, limit: options.maxMatchesPerLine) { range in
                // A match inside the overlap was already seen in the previous piece.
                if overlap == 0 || range.end > overlap {
                    lineMatches.append(LineMatch(rule: index, range: range,
                                                 secret: rule.secretGroup.flatMap { matcher.captureRange($0) }))
                }
                return true
            }
        } catch {
            if let known = failures.firstIndex(where: { $0.ruleID == rule.id }) {
                failures[known].count += 1
            } else {
                failures.append(MatchFailure(ruleID: rule.id, path: source.name, line: line.number, error: error, count: 1))
            }
        }
    }

    private func reportMatches(in line: Line, source: SourceInfo, context: RuleContext,
                               report: (Finding) throws -> Void) throws {
        let secrets = lineMatches.compactMap(\.secret)
        let offsetInLine = line.piece?.offsetInLine ?? 0
        for found in lineMatches {
            let rule = rules.rules[found.rule]
            try report(Finding(
                ruleID: rule.id, title: rule.title, severity: rule.severity, category: rule.category,
                cwe: rule.cwe, fix: rule.fix, path: source.name, line: line.number,
                column: offsetInLine + found.range.start + 1,
                byteOffset: line.byteOffset + found.range.start, context: context,
                excerpt: Excerpt.make(line: line.bytes, match: found.range, secrets: secrets, showSecrets: options.showSecrets),
                fingerprint: Fingerprint.make(ruleID: rule.id, line: line.bytes, match: found.range, secrets: secrets),
                isTruncated: line.isTruncated, hasSecret: found.secret.map { !$0.isEmpty } ?? false))
        }
    }
}
