/// Gathers the lines of multi-line events (`event` stanzas: stack traces) into one
/// finding each, following ``EventPattern``'s rules.
///
/// Lines from interleaved streams stay apart: when the lines after the start carry the
/// start line's prefix (``LinePrefix``), only lines with that prefix belong to the event,
/// and others are skipped. Several events can be open at once, one per prefix.
///
/// Not Sendable: it owns PCRE2 match data. One per detector.
final class EventAssembler {
    private struct Matchers {
        let continuation: PCRE2Matcher
        let end: PCRE2Matcher?
        let frame: PCRE2Matcher?
        let library: PCRE2Matcher?
    }

    private enum Mode {
        /// Only the start line so far: the next lines decide.
        case undecided
        /// Lines carry the start line's prefix, which is cut off before testing.
        case prefixed
        /// Lines are tested as they are.
        case plain
    }

    private struct OpenEvent {
        let rule: Int
        let prefixKey: [UInt8]
        let looseKey: [UInt8]
        var mode: Mode
        let startLine: Int
        let column: Int
        let byteOffset: Int
        /// The offset of the start line's first byte.
        let lineByteOffset: Int
        let context: RuleContext
        let status: Int?
        let source: String
        var lineCount = 1
        var blankRun = 0
        var endLine: Int
        /// Lines of other streams since the event's last line.
        var skipped = 0
        var type: String?
        let typeFromStart: Bool
        var frameFile: String?
        /// The line the excerpt is made from (the start, or the line naming the type),
        /// kept as bytes: most events are dropped as too short, so the excerpt is only
        /// made for those reported.
        var excerpt: ExcerptSource
        var evidence = FNV1a64()
        let isTruncated: Bool
    }

    struct ExcerptSource {
        let line: [UInt8]
        let match: ByteRange
        let secrets: [ByteRange]

        init(_ line: UnsafeRawBufferPointer, match: ByteRange, secrets: [ByteRange]) {
            self.line = Array(line)
            self.match = match
            self.secrets = secrets
        }
    }

    /// Lines of other streams (same loose prefix, other key) tolerated before an
    /// undecided event is given up.
    private static let undecidedSkipLimit = 8

    private let rules: RuleSet
    private var matchers: [Int: Matchers] = [:]
    private var open: [OpenEvent] = []
    private let showSecrets: Bool
    /// The input being scanned, named in failures.
    var sourceName = ""
    /// Regex failures (match limits) since the detector last took them: rule index, line, error.
    private(set) var failures: [(rule: Int, line: Int, error: PCRE2Error)] = []

    init(rules: RuleSet, context: PCRE2MatchContext, showSecrets: Bool) {
        self.rules = rules
        self.showSecrets = showSecrets
        for (index, rule) in rules.rules.enumerated() {
            guard let event = rule.event else { continue }
            matchers[index] = Matchers(
                continuation: PCRE2Matcher(pattern: event.continuation, context: context),
                end: event.end.map { PCRE2Matcher(pattern: $0, context: context) },
                frame: event.frame.map { PCRE2Matcher(pattern: $0, context: context) },
                library: event.library.map { PCRE2Matcher(pattern: $0, context: context) })
        }
    }

    /// Returns true if and only if some event is waiting for more lines.
    var hasOpenEvents: Bool { !open.isEmpty }

    /// The input offset and number of the earliest line an open event holds, or nil.
    var earliestOpen: (byteOffset: Int, line: Int)? {
        open.min { $0.lineByteOffset < $1.lineByteOffset }.map { ($0.lineByteOffset, $0.startLine) }
    }

    /// Offers `line` to every open event: it joins those it continues and closes those it
    /// does not; closed events are reported. Returns true if and only if an event took it.
    ///
    /// - Parameter secrets: the secrets on `line`, masked in an excerpt taken from it.
    func offer(_ line: Line, secrets: [ByteRange], report: (Finding) throws -> Void) rethrows -> Bool {
        var taken = false
        var index = 0
        while index < open.count {
            switch step(&open[index], line, secrets: secrets) {
            case .skipped:
                index += 1
            case .joined:
                taken = true
                index += 1
            case .joinedAndClosed:
                taken = true
                try close(at: index, report: report)
            case .closed:
                try close(at: index, report: report)
            }
        }
        return taken
    }

    /// Opens an event of rule `rule`, whose start matched `match` in `line`.
    func start(rule: Int, line: Line, match: ByteRange, context: RuleContext, status: Int?, source: SourceInfo,
               secrets: [ByteRange], startMatcher: PCRE2Matcher) {
        guard let event = rules.rules[rule].event else { return }
        let prefix = UnsafeRawBufferPointer(rebasing: line.bytes[..<match.start])
        var opened = OpenEvent(
            rule: rule, prefixKey: LinePrefix.key(prefix), looseKey: LinePrefix.key(prefix, loose: true), mode: .undecided, startLine: line.number,
            column: match.start + 1, byteOffset: line.byteOffset + match.start, lineByteOffset: line.byteOffset,
            context: context, status: status,
            source: source.name, endLine: line.number,
            type: event.startTypeGroup.flatMap { startMatcher.captureRange($0) }.map { text(line.bytes, $0) },
            typeFromStart: event.startTypeGroup.flatMap { startMatcher.captureRange($0) } != nil,
            excerpt: ExcerptSource(line.bytes, match: match, secrets: secrets),
            isTruncated: line.isTruncated)
        opened.evidence.add(rules.rules[rule].id.utf8)
        noteFrame(&opened, in: line.bytes, from: 0)
        open.append(opened)
    }

    /// Returns the failures recorded so far and forgets them.
    func takeFailures() -> [(rule: Int, line: Int, error: PCRE2Error)] {
        defer { failures.removeAll() }
        return failures
    }

    /// Closes and reports every open event (at the end of an input).
    func finish(report: (Finding) throws -> Void) rethrows {
        while !open.isEmpty { try close(at: 0, report: report) }
    }

    private enum Step { case skipped, joined, joinedAndClosed, closed }

    private func step(_ event: inout OpenEvent, _ line: Line, secrets: [ByteRange]) -> Step {
        guard let pattern = rules.rules[event.rule].event, let matchers = matchers[event.rule] else { return .closed }
        var textStart = 0
        switch event.mode {
        case .prefixed:
            guard let length = LinePrefix.length(of: event.prefixKey, in: line.bytes) else {
                event.skipped += 1
                return event.skipped > pattern.maxLines ? .closed : .skipped
            }
            textStart = length
        case .plain:
            break
        case .undecided:
            if !event.prefixKey.isEmpty, let length = LinePrefix.length(of: event.prefixKey, in: line.bytes) {
                event.mode = .prefixed
                textStart = length
            } else if matches(matchers.continuation, event.rule, line, from: 0) || matches(matchers.end, event.rule, line, from: 0) {
                event.mode = .plain
            } else if !event.prefixKey.isEmpty, event.skipped < Self.undecidedSkipLimit,
                      LinePrefix.length(of: event.looseKey, in: line.bytes, loose: true) != nil {
                // Another stream of the same log (another thread or process id).
                event.skipped += 1
                return .skipped
            } else {
                return .closed
            }
        }
        event.skipped = 0
        let text = UnsafeRawBufferPointer(rebasing: line.bytes[textStart...])
        let isEnd = matches(matchers.end, event.rule, line, from: textStart)
        guard isEnd || matches(matchers.continuation, event.rule, line, from: textStart) else { return .closed }

        let matcher = isEnd ? matchers.end : matchers.continuation
        let typeGroup = isEnd ? pattern.endTypeGroup : pattern.continuationTypeGroup
        if !event.typeFromStart, let typeGroup, let range = matcher?.captureRange(typeGroup), !range.isEmpty {
            event.type = self.text(text, range)
            event.excerpt = ExcerptSource(line.bytes, match: ByteRange(start: textStart + range.start, end: line.bytes.count),
                                          secrets: secrets)
        }
        if text.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
            event.blankRun += 1
        } else {
            event.lineCount += event.blankRun + 1
            event.blankRun = 0
            event.endLine = line.number
            noteFrame(&event, in: text, from: 0)
        }
        if isEnd { return .joinedAndClosed }
        return event.lineCount + event.blankRun >= pattern.maxLines ? .joinedAndClosed : .joined
    }

    /// Runs `matcher` on `line` from `start` (the text after the prefix), recording a failure.
    private func matches(_ matcher: PCRE2Matcher?, _ rule: Int, _ line: Line, from start: Int) -> Bool {
        guard let matcher else { return false }
        do {
            return try matcher.firstMatch(in: UnsafeRawBufferPointer(rebasing: line.bytes[start...])) != nil
        } catch {
            failures.append((rule, line.number, error))
            return false
        }
    }

    /// Adds a stack frame on `text`, if any, to the event's evidence, and names the first
    /// application frame.
    private func noteFrame(_ event: inout OpenEvent, in text: UnsafeRawBufferPointer, from start: Int) {
        guard let pattern = rules.rules[event.rule].event, let matchers = matchers[event.rule],
              let frame = matchers.frame, let group = pattern.frameFileGroup,
              let found = try? frame.firstMatch(in: text), let file = frame.captureRange(group) else { return }
        Fingerprint.addMasked(UnsafeRawBufferPointer(rebasing: text[found.start..<found.end]), to: &event.evidence)
        guard event.frameFile == nil else { return }
        let fileBytes = UnsafeRawBufferPointer(rebasing: text[file.start..<file.end])
        if let library = matchers.library, (try? library.firstMatch(in: fileBytes)) != nil { return }
        event.frameFile = self.text(text, file)
    }

    private func close(at index: Int, report: (Finding) throws -> Void) rethrows {
        let event = open.remove(at: index)
        let rule = rules.rules[event.rule]
        guard let pattern = rule.event, event.lineCount >= pattern.minLines else { return }
        var evidence = event.evidence
        evidence.add(CollectionOfOne(0))
        evidence.add((event.type ?? "").utf8)
        try report(Finding(
            ruleID: rule.id, title: rule.title, severity: rule.severity.resolve(context: event.context, status: event.status),
            category: rule.category, cwe: rule.cwe, fix: rule.fix, path: event.source, line: event.startLine,
            column: event.column, byteOffset: event.byteOffset, context: event.context,
            excerpt: event.excerpt.line.withUnsafeBytes {
                Excerpt.make(line: $0, match: event.excerpt.match, secrets: event.excerpt.secrets, showSecrets: showSecrets)
            },
            fingerprint: rule.id + ":" + FNV1a64.hex(evidence.value, digits: 16), isTruncated: event.isTruncated,
            hasSecret: false, status: event.status,
            event: EventDetail(endLine: event.endLine, lineCount: event.lineCount, exceptionType: event.type,
                               frameFile: event.frameFile, isCut: event.lineCount + event.blankRun >= pattern.maxLines)))
    }

    private func text(_ bytes: UnsafeRawBufferPointer, _ range: ByteRange) -> String {
        String(decoding: bytes[range.start..<range.end], as: UTF8.self)
    }
}
