import CHyperscan
import Glibc

/// Finds, in one pass over a buffer of lines, which rules' keywords occur in which lines,
/// so that a rule's regex runs only on lines holding one of its keywords (gitleaks'
/// keyword check, done for all rules at once).
///
/// The pass is Hyperscan's literal matcher (`hs_compile_lit_multi`, block mode, a SIMD
/// scan with ASCII case folded), one literal per distinct keyword, over the whole buffer
/// rather than line by line. Line boundaries are looked up only around a hit (searching
/// back and forward from it), and a reported line's index comes from a word-wide newline
/// count, so a line without a keyword costs nothing but the scan. Keywords never span
/// lines.
///
/// Immutable once built, so one prefilter serves every thread; each thread scans with its
/// own ``Scratch``. If Hyperscan cannot compile the keywords (``compileError``), allocate
/// a scratch or finish a scan, every line is reported with every rule that has keywords:
/// slower, never wrong.
///
/// - Complexity: building is linear in the total keyword length; scanning is O(n) in the
///   bytes scanned, plus O(1) per keyword occurrence and O(line length) per reported line.
///   Nothing is allocated per line: hits go into the scratch's reused arrays.
public final class KeywordPrefilter: @unchecked Sendable {
    // SAFETY: `database` is written once, in init, and only read after; Hyperscan
    // documents a compiled database as safe to scan from several threads at once, each
    // with its own scratch space (``Scratch``). Everything else is immutable.

    /// The compiled literals, or nil when there are none (or they failed to compile).
    private let database: OpaquePointer?
    /// For literal `i`, the rules whose keyword it is: `rules[ruleStart[i]..<ruleStart[i + 1]]`.
    private let ruleStart: [Int32]
    private let rules: [Int32]
    /// The rules that have at least one keyword, in index order.
    private let rulesWithKeywords: [Int32]
    /// How many rules the prefilter was built for (the length of `keywords` in init).
    public let ruleCount: Int
    /// Why Hyperscan refused the keywords, or nil when they compiled.
    public let compileError: String?

    /// Builds the prefilter; `keywords[r]` are rule `r`'s keywords (matched with ASCII case
    /// ignored; an empty list means the rule has none, so the prefilter never reports it).
    /// A keyword holding a line end can never match inside a line and is dropped.
    public init(keywords: [[String]]) {
        var index: [String: Int] = [:]
        var literals: [String] = []
        var rulesOfLiteral: [[Int32]] = []
        var withKeywords: [Int32] = []
        for (rule, words) in keywords.enumerated() {
            var any = false
            for word in words where !word.isEmpty && !word.utf8.contains(0x0A) {
                any = true
                let folded = asciiLowercased(word)
                if let known = index[folded] {
                    if rulesOfLiteral[known].last != Int32(rule) { rulesOfLiteral[known].append(Int32(rule)) }
                } else {
                    index[folded] = literals.count
                    literals.append(folded)
                    rulesOfLiteral.append([Int32(rule)])
                }
            }
            if any { withKeywords.append(Int32(rule)) }
        }
        var ruleStart: [Int32] = [0]
        var rules: [Int32] = []
        for owners in rulesOfLiteral {
            rules += owners
            ruleStart.append(Int32(rules.count))
        }
        self.ruleStart = ruleStart
        self.rules = rules
        self.rulesWithKeywords = withKeywords
        self.ruleCount = keywords.count
        switch KeywordPrefilter.compile(literals) {
        case .success(let database):
            self.database = database
            self.compileError = nil
        case .failure(let failure):
            self.database = nil
            self.compileError = failure.message
        }
    }

    deinit {
        if let database { hs_free_database(database) }
    }

    private struct CompileFailure: Error {
        let message: String
    }

    private static func compile(_ literals: [String]) -> Result<OpaquePointer?, CompileFailure> {
        guard !literals.isEmpty else { return .success(nil) }
        let bytes = literals.flatMap { Array($0.utf8) }
        let lengths = literals.map { $0.utf8.count }
        let flags = [UInt32](repeating: UInt32(HS_FLAG_CASELESS), count: literals.count)
        let ids = (0..<literals.count).map { UInt32($0) }
        var database: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let status = bytes.withUnsafeBufferPointer { all -> hs_error_t in
            guard let base = all.baseAddress else { return HS_INVALID }
            var pointers: [UnsafePointer<CChar>?] = []
            var offset = 0
            for length in lengths {
                pointers.append(UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            return hs_compile_lit_multi(pointers, flags, ids, lengths, UInt32(literals.count),
                                        UInt32(HS_MODE_BLOCK), nil, &database, &error)
        }
        if status == HS_SUCCESS, let database { return .success(database) }
        let message = error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "hs_compile_lit_multi failed (\(status))"
        if let error { hs_free_compile_error(error) }
        return .failure(CompileFailure(message: message))
    }

    /// Per-thread state for ``scanLines(_:everyLine:scratch:_:)``: Hyperscan's scratch
    /// space and the hit lists, all reused from scan to scan. Not Sendable.
    public final class Scratch {
        fileprivate var hyperscan: OpaquePointer?
        /// The hit lists live behind a pointer: Hyperscan's callback reaches them through
        /// its context argument, and no exclusivity check runs per hit.
        fileprivate let hits: UnsafeMutablePointer<Hits>
        /// The rules handed to the caller for one line (reused, not reallocated).
        fileprivate var candidates: [Int32] = []

        /// Scratch space for scans with `prefilter`.
        public init(for prefilter: KeywordPrefilter) {
            hits = .allocate(capacity: 1)
            hits.initialize(to: Hits(ruleCount: prefilter.ruleCount))
            candidates.reserveCapacity(prefilter.ruleCount)
            if let database = prefilter.database {
                var scratch: OpaquePointer?
                if hs_alloc_scratch(database, &scratch) == HS_SUCCESS { hyperscan = scratch }
            }
        }

        deinit {
            if let hyperscan { hs_free_scratch(hyperscan) }
            hits.deinitialize(count: 1)
            hits.deallocate()
        }
    }

    /// The lines of one scan that hold a keyword, in buffer order: `[lineStarts[i],
    /// lineEnds[i])`, with their rules `lineRules[lineRuleStart[i]..<lineRuleStart[i + 1]]`.
    fileprivate struct Hits {
        var base: UnsafePointer<UInt8>?
        var count = 0
        var windowStart = 0
        var ruleStart: UnsafePointer<Int32>?
        var literalRules: UnsafePointer<Int32>?
        var lineStarts: [Int] = []
        var lineEnds: [Int] = []
        var lineRuleStart: [Int] = []
        var lineRules: [Int32] = []
        /// Hits reported before the current line (Hyperscan does not promise end-offset
        /// order), merged after the scan: `(position, rule)`.
        var strays: [(Int, Int32)] = []
        /// Per rule, the serial number of the hit line it was last added to; serials keep
        /// growing from scan to scan, so nothing is cleared per scan.
        var seen: [Int]
        /// The serial number of this scan's first hit line.
        var serialBase = 0
        /// The current (last) hit line's bounds.
        var currentStart = 0
        var currentEnd = 0

        init(ruleCount: Int) {
            seen = [Int](repeating: -1, count: ruleCount)
        }

        mutating func begin(_ base: UnsafePointer<UInt8>, _ count: Int) {
            self.base = base
            self.count = count
            lineEnds.removeAll(keepingCapacity: true)
            lineRuleStart.removeAll(keepingCapacity: true)
            lineRules.removeAll(keepingCapacity: true)
            strays.removeAll(keepingCapacity: true)
            serialBase &+= lineStarts.count + 1
            lineStarts.removeAll(keepingCapacity: true)
            currentStart = 0
            currentEnd = 0
        }

        /// Notes that literal `literal` ends just before `end` (relative to the window).
        @inline(__always)
        mutating func record(literal: Int, end: Int) {
            guard let base, let ruleStart, let literalRules else { return }
            let position = windowStart + end - 1   // the literal's last byte
            if position >= currentEnd {
                let start = LineReader.lastNewline(base + currentEnd, position - currentEnd).map { currentEnd + $0 + 1 } ?? currentEnd
                let lineEnd = memchr(base + position, 0x0A, count - position)
                    .map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) + 1 } ?? count
                lineStarts.append(start)
                lineEnds.append(lineEnd)
                lineRuleStart.append(lineRules.count)
                currentStart = start
                currentEnd = lineEnd
            } else if position < currentStart {
                for index in Int(ruleStart[literal])..<Int(ruleStart[literal + 1]) {
                    strays.append((position, literalRules[index]))
                }
                return
            }
            let line = serialBase + lineStarts.count - 1
            for index in Int(ruleStart[literal])..<Int(ruleStart[literal + 1]) {
                let rule = Int(literalRules[index])
                if seen[rule] != line {
                    seen[rule] = line
                    lineRules.append(Int32(rule))
                }
            }
        }

        /// Ends the lists (`lineRuleStart` gets its closing entry), first folding in the
        /// strays, keeping lines in order and each rule once per line. Strays are rare:
        /// only when Hyperscan reported a hit out of order.
        mutating func finish() {
            lineRuleStart.append(lineRules.count)
            guard !strays.isEmpty, let base else { return }
            var pairs: [(start: Int, end: Int, rule: Int32)] = []
            for line in lineStarts.indices {
                for index in lineRuleStart[line]..<lineRuleStart[line + 1] {
                    pairs.append((lineStarts[line], lineEnds[line], lineRules[index]))
                }
            }
            for (position, rule) in strays {
                let start = LineReader.lastNewline(base, position).map { $0 + 1 } ?? 0
                let end = memchr(base + position, 0x0A, count - position)
                    .map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) + 1 } ?? count
                pairs.append((start, end, rule))
            }
            pairs.sort { ($0.start, $0.rule) < ($1.start, $1.rule) }
            lineStarts.removeAll(keepingCapacity: true)
            lineEnds.removeAll(keepingCapacity: true)
            lineRuleStart.removeAll(keepingCapacity: true)
            lineRules.removeAll(keepingCapacity: true)
            for pair in pairs {
                if lineStarts.last != pair.start {
                    lineStarts.append(pair.start)
                    lineEnds.append(pair.end)
                    lineRuleStart.append(lineRules.count)
                } else if lineRules.last == pair.rule {
                    continue
                }
                lineRules.append(pair.rule)
            }
            lineRuleStart.append(lineRules.count)
            strays.removeAll(keepingCapacity: true)
        }
    }

    /// The most bytes given to one Hyperscan call (its length is 32-bit); a longer buffer
    /// is scanned in windows that overlap by this many bytes, more than any keyword.
    private static let window = 1 << 30
    private static let windowOverlap = 1 << 16

    /// Scans `bytes` and calls `body(lineIndex, lineStart, lineEnd, candidates)` for each
    /// line holding a keyword, or for every line if `everyLine` is true, in line order.
    /// `lineIndex` is the 0-based index of the line in `bytes`; `lineEnd` includes the
    /// line's `\n`, if it has one; `candidates` lists each rule whose keyword occurs in the
    /// line once, ascending.
    public func scanLines(_ bytes: UnsafeRawBufferPointer, everyLine: Bool, scratch: Scratch,
                          _ body: (Int, Int, Int, [Int32]) throws -> Void) rethrows {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return }
        let count = bytes.count
        let hits = scratch.hits
        let failed = !findHits(base, count, scratch)

        var hit = 0
        func candidates(ofHit hit: Int) -> [Int32] {
            scratch.candidates.removeAll(keepingCapacity: true)
            if failed {
                scratch.candidates.append(contentsOf: rulesWithKeywords)
            } else {
                let rules = hits.pointee.lineRuleStart[hit]..<hits.pointee.lineRuleStart[hit + 1]
                scratch.candidates.append(contentsOf: hits.pointee.lineRules[rules])
                if scratch.candidates.count > 1 { scratch.candidates.sort() }
            }
            return scratch.candidates
        }
        let lineCount = hits.pointee.lineStarts.count
        if everyLine || failed {
            var start = 0
            var lineIndex = 0
            let none: [Int32] = []
            while start < count {
                let end = memchr(base + start, 0x0A, count - start)
                    .map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) + 1 } ?? count
                if failed {
                    try body(lineIndex, start, end, candidates(ofHit: 0))
                } else if hit < lineCount, hits.pointee.lineStarts[hit] == start {
                    try body(lineIndex, start, end, candidates(ofHit: hit))
                    hit += 1
                } else {
                    try body(lineIndex, start, end, none)
                }
                lineIndex += 1
                start = end
            }
            return
        }
        var counted = 0
        var lineIndex = 0
        while hit < lineCount {
            let start = hits.pointee.lineStarts[hit]
            lineIndex += LineReader.countNewlines(base + counted, start - counted)
            counted = start
            try body(lineIndex, start, hits.pointee.lineEnds[hit], candidates(ofHit: hit))
            hit += 1
        }
    }

    /// Runs Hyperscan over the buffer, filling the scratch's hit lists. Returns false if
    /// the hits cannot be trusted (no database, no scratch, or a scan that failed); true
    /// also when there are simply no keywords.
    private func findHits(_ base: UnsafePointer<UInt8>, _ count: Int, _ scratch: Scratch) -> Bool {
        let hits = scratch.hits
        hits.pointee.begin(base, count)
        defer { hits.pointee.finish() }
        guard compileError == nil else { return false }
        guard let database else { return true }  // no keywords at all
        guard let hyperscan = scratch.hyperscan else { return false }
        return ruleStart.withUnsafeBufferPointer { ruleStart in
            rules.withUnsafeBufferPointer { rules in
                hits.pointee.ruleStart = ruleStart.baseAddress
                hits.pointee.literalRules = rules.baseAddress
                defer {
                    hits.pointee.ruleStart = nil
                    hits.pointee.literalRules = nil
                }
                var windowStart = 0
                while windowStart < count {
                    let length = min(KeywordPrefilter.window, count - windowStart)
                    hits.pointee.windowStart = windowStart
                    let status = hs_scan(database, UnsafeRawPointer(base + windowStart).assumingMemoryBound(to: CChar.self),
                                         UInt32(length), 0, hyperscan, keywordFound, UnsafeMutableRawPointer(hits))
                    guard status == HS_SUCCESS else { return false }
                    if windowStart + length >= count { break }
                    windowStart += length - KeywordPrefilter.windowOverlap
                }
                return true
            }
        }
    }
}

/// Hyperscan's match callback: `context` points to the scan's hit lists.
private func keywordFound(_ id: UInt32, _ from: UInt64, _ to: UInt64, _ flags: UInt32,
                          _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let context else { return 1 }
    context.assumingMemoryBound(to: KeywordPrefilter.Hits.self).pointee.record(literal: Int(id), end: Int(to))
    return 0
}
