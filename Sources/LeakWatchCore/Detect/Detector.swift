/// Runs a rule set over chunks of lines and reports a ``Finding`` for every match.
///
/// For each chunk, the keyword prefilter finds in one pass which lines hold which rules'
/// keywords, and which hold something to decode; only those rules' regexes run, and only
/// on those lines (plus rules without keywords, on every line). A line with something to
/// decode is first turned into plain text (``LineNormalizer``) and prefiltered again.
/// Every match on a line is collected before findings are made, so each finding's excerpt
/// masks every secret on the line, not only its own. `event` rules gather the lines of a
/// stack trace into one finding (``EventAssembler``); while one is open, every line is
/// looked at.
///
/// Scan an input's chunks in order, then call ``finishInput(report:)``. One detector per
/// thread: it owns the PCRE2 match data (created once per rule, here) and per-input state,
/// and is not Sendable.
///
/// - Complexity: O(n) in the bytes scanned for the prefilter; regexes run only on
///   candidate lines, each bounded by ``PCRE2Limits``. No allocation per line that
///   matches nothing.
public final class Detector {
    public struct Options: Sendable {
        /// Print secrets in clear instead of masking them. This is false by default.
        public var showSecrets = false
        /// Matches of one rule on one line reported at most. This is 16 by default.
        public var maxMatchesPerLine = 16
        /// The most bytes of container partial lines joined into one. This is 1 MiB by default.
        public var maxLineBytes = LineReader.defaultMaxLineBytes
        public var limits = PCRE2Limits()

        public init() {}
    }

    public let rules: RuleSet
    public let options: Options
    private let matchers: [PCRE2Matcher]
    private let scratch: KeywordPrefilter.Scratch
    private let decodedScratch: KeywordPrefilter.Scratch
    private var lineMatches: [LineMatch] = []
    /// The event rules whose start may be on the current line (reused, not reallocated).
    private var eventStarts: [Int] = []
    /// The first failure of each rule on the current input, in order of occurrence.
    private var failures: [MatchFailure] = []
    private let events: EventAssembler
    private var currentSource = SourceInfo(name: "")

    // Per input; reset by finishInput.
    private var normalizer: LineNormalizer
    private var status: Int?
    private var context = RuleContext.log
    private var reportsLineFindings = true

    /// The number of the line being scanned, or last scanned: a finding reported from
    /// inside ``scan(_:source:context:status:reportsLineFindings:report:)`` was made by it.
    public private(set) var currentLine = 0

    /// What the per-line path needs of each rule, as plain values, so that no ``Rule``
    /// (a struct holding many references) is copied per line.
    private struct RuleFacts {
        /// One bit per ``RuleContext`` the rule runs in.
        let contexts: UInt8
        let isEvent: Bool
        let secretGroup: Int?
        let statusGroup: Int?
        let minEntropy: Double?

        init(_ rule: Rule) {
            contexts = rule.contexts.reduce(0) { $0 | RuleFacts.bit($1) }
            isEvent = rule.event != nil
            secretGroup = rule.secretGroup
            statusGroup = rule.statusGroup
            minEntropy = rule.minEntropy
        }

        static func bit(_ context: RuleContext) -> UInt8 {
            switch context {
            case .log: 1
            case .header: 2
            case .body: 4
            }
        }
    }

    private let facts: [RuleFacts]

    private struct LineMatch {
        let rule: Int
        let range: ByteRange
        let secret: ByteRange?
        let status: Int?
    }

    public init(rules: RuleSet, options: Options = Options()) {
        self.rules = rules
        self.options = options
        let context = PCRE2MatchContext(limits: options.limits)
        self.matchers = rules.rules.map { PCRE2Matcher(pattern: $0.pattern, context: context) }
        self.facts = rules.rules.map(RuleFacts.init)
        self.scratch = KeywordPrefilter.Scratch(for: rules.prefilter)
        self.decodedScratch = KeywordPrefilter.Scratch(for: rules.prefilter)
        self.normalizer = LineNormalizer(maxLineBytes: options.maxLineBytes)
        self.events = EventAssembler(rules: rules, context: context, showSecrets: options.showSecrets)
    }

    /// Scans every line of `chunk`, the next chunk of an input read from `source`, whose
    /// lines are in `context` (a log, or a response's header or body lines) of a response
    /// with `status` (nil when there is none), calling `report` with each finding:
    /// one-line findings in line order, an event's finding when its last line has been seen.
    ///
    /// - Parameter reportsLineFindings: false to report events only (their lines still
    ///   open and continue events): a parallel scan reading on past its range, whose
    ///   one-line findings the next range reports. This is true by default.
    public func scan(_ chunk: Chunk, source: SourceInfo, context: RuleContext = .log, status: Int? = nil,
                     reportsLineFindings: Bool = true, report: (Finding) throws -> Void) rethrows {
        self.reportsLineFindings = reportsLineFindings
        currentSource = source
        events.sourceName = source.name
        self.context = context
        self.status = status
        let everyLine = !rules.unfilteredRules.isEmpty
        var cursor = (index: 0, start: 0)
        try rules.prefilter.scanLines(chunk.bytes, everyLine: everyLine, scratch: scratch) {
            index, start, end, candidates in
            if events.hasOpenEvents, cursor.start < start {
                try scanGap(chunk, from: cursor, to: start, report: report)
            }
            cursor = (index + 1, end)
            let line = chunk.line(index, from: start, to: end)
            if candidates.contains(rules.normalizeCandidate), line.piece == nil {
                let decoded = try normalizer.normalize(line) { plain in
                    try scanDecoded(plain, report: report)
                }
                if decoded { return }
            }
            try scanLine(line, candidates: candidates, report: report)
        }
        if events.hasOpenEvents, cursor.start < chunk.bytes.count {
            try scanGap(chunk, from: cursor, to: chunk.bytes.count, report: report)
        }
    }

    /// Ends the current input: reports a held partial line and every open event, and
    /// forgets the input's state.
    public func finishInput(report: (Finding) throws -> Void) rethrows {
        try normalizer.finish { plain in
            try scanDecoded(plain, report: report)
        }
        try events.finish(report: report)
        normalizer = LineNormalizer(maxLineBytes: options.maxLineBytes)
    }

    /// The input offset and line number of the earliest line whose findings are not all
    /// made yet (an open event, a held partial container line), or nil: a follower must
    /// not commit a checkpoint past it.
    public var pendingStart: (byteOffset: Int, line: Int)? {
        [events.earliestOpen, normalizer.heldStart].compactMap { $0 }.min { $0.byteOffset < $1.byteOffset }
    }

    /// Returns true if and only if an event waits for more lines (a follower flushes it
    /// after an idle time).
    public var hasPendingEvents: Bool { events.hasOpenEvents || normalizer.heldStart != nil }

    /// The rules that failed on some line since the last call, first failure and count
    /// for each; the record is then cleared (call it after each input).
    public func takeMatchFailures() -> [MatchFailure] {
        for failure in events.takeFailures() {
            recordFailure(rule: failure.rule, lineNumber: failure.line, error: failure.error)
        }
        defer { failures = [] }
        return failures
    }

    /// Scans lines the prefilter skipped (no keyword in them) while an event is open, so
    /// the event sees its continuation lines.
    private func scanGap(_ chunk: Chunk, from cursor: (index: Int, start: Int), to limit: Int,
                         report: (Finding) throws -> Void) rethrows {
        var index = cursor.index
        var start = cursor.start
        while start < limit, events.hasOpenEvents {
            let end = chunk.bytes[start..<limit].firstIndex(of: 0x0A).map { $0 + 1 } ?? limit
            let line = chunk.line(index, from: start, to: end)
            try scanLine(line, candidates: [], report: report)
            index += 1
            start = end
        }
    }

    /// Prefilters a decoded line again and scans it.
    private func scanDecoded(_ line: Line, report: (Finding) throws -> Void) rethrows {
        if line.bytes.isEmpty {
            try scanLine(line, candidates: [], report: report)
            return
        }
        try rules.prefilter.scanLines(line.bytes, everyLine: true, scratch: decodedScratch) { _, _, _, candidates in
            try scanLine(line, candidates: candidates, report: report)
        }
    }

    /// Runs the candidate rules on `line`, offers it to open events, starts new ones and
    /// reports its one-line findings (unless `reportsLineFindings` is off).
    private func scanLine(_ line: Line, candidates: [Int32], report: (Finding) throws -> Void) rethrows {
        currentLine = line.number
        lineMatches.removeAll(keepingCapacity: true)
        eventStarts.removeAll(keepingCapacity: true)
        for candidate in candidates where candidate != rules.normalizeCandidate {
            collect(rule: Int(candidate), in: line, context: context)
        }
        for rule in rules.unfilteredRules { collect(rule: rule, in: line, context: context) }
        if lineMatches.count > 1 {
            lineMatches.sort { ($0.range.start, $0.rule) < ($1.range.start, $1.rule) }
        }
        let secrets = lineMatches.compactMap(\.secret)

        var taken = false
        if events.hasOpenEvents, line.piece == nil {
            taken = try events.offer(line, secrets: secrets, report: report)
        }
        if !taken, line.piece == nil {
            for rule in eventStarts {
                let matcher = matchers[rule]
                guard let match = firstMatch(rule: rule, in: line) else { continue }
                events.start(rule: rule, line: line, match: match, context: context,
                             status: status, source: currentSource,
                             secrets: secrets, startMatcher: matcher)
            }
        }
        if reportsLineFindings, !lineMatches.isEmpty {
            try reportMatches(in: line, secrets: secrets, report: report)
        }
    }

    private func collect(rule index: Int, in line: Line, context: RuleContext) {
        let rule = facts[index]
        guard rule.contexts & RuleFacts.bit(context) != 0 else { return }
        if rule.isEvent {
            eventStarts.append(index)
            return
        }
        let matcher = matchers[index]
        let overlap = line.piece?.overlap ?? 0
        do {
            _ = try matcher.forEachMatch(in: line.bytes, limit: options.maxMatchesPerLine) { range in
                // A match inside the overlap was already seen in the previous piece.
                guard overlap == 0 || range.end > overlap else { return true }
                let secret = rule.secretGroup.flatMap { matcher.captureRange($0) }
                if let minEntropy = rule.minEntropy,
                   ShannonEntropy.bitsPerByte(UnsafeRawBufferPointer(rebasing: line.bytes[(secret ?? range).start..<(secret ?? range).end])) < minEntropy {
                    return true
                }
                let status = rule.statusGroup.flatMap { matcher.captureRange($0) }.flatMap { statusCode(line.bytes, $0) }
                lineMatches.append(LineMatch(rule: index, range: range, secret: secret, status: status))
                return true
            }
        } catch {
            recordFailure(rule: index, line: line, error: error)
        }
    }

    private func firstMatch(rule: Int, in line: Line) -> ByteRange? {
        do {
            return try matchers[rule].firstMatch(in: line.bytes)
        } catch {
            recordFailure(rule: rule, line: line, error: error)
            return nil
        }
    }

    private func recordFailure(rule: Int, line: Line, error: PCRE2Error) {
        recordFailure(rule: rule, lineNumber: line.number, error: error)
    }

    private func recordFailure(rule: Int, lineNumber: Int, error: PCRE2Error) {
        let id = rules.rules[rule].id
        if let known = failures.firstIndex(where: { $0.ruleID == id }) {
            failures[known].count += 1
        } else {
            failures.append(MatchFailure(ruleID: id, path: currentSource.name, line: lineNumber, error: error, count: 1))
        }
    }

    private func statusCode(_ bytes: UnsafeRawBufferPointer, _ range: ByteRange) -> Int? {
        guard range.count == 3 else { return nil }
        var code = 0
        for digit in bytes[range.start..<range.end] {
            guard (0x30...0x39).contains(digit) else { return nil }
            code = code * 10 + Int(digit - 0x30)
        }
        return code
    }

    private func reportMatches(in line: Line, secrets: [ByteRange],
                               report: (Finding) throws -> Void) rethrows {
        let offsetInLine = line.piece?.offsetInLine ?? 0
        for found in lineMatches {
            let rule = rules.rules[found.rule]
            let status = found.status ?? self.status
            try report(Finding(
                ruleID: rule.id, title: rule.title, severity: rule.severity.resolve(context: context, status: status),
                category: rule.category, cwe: rule.cwe, fix: rule.fix, path: currentSource.name, line: line.number,
                column: offsetInLine + found.range.start + 1,
                byteOffset: line.byteOffset + found.range.start, context: context,
                excerpt: Excerpt.make(line: line.bytes, match: found.range, secrets: secrets, showSecrets: options.showSecrets),
                fingerprint: Fingerprint.make(ruleID: rule.id, line: line.bytes, match: found.range, secrets: secrets),
                isTruncated: line.isTruncated, hasSecret: found.secret.map { !$0.isEmpty } ?? false, status: status))
        }
    }
}
