import CPCRE2

/// Limits that stop a pathological pattern from running away on a hostile subject.
///
/// When a match exceeds a limit, ``PCRE2Matcher/firstMatch(in:from:)`` throws a
/// ``PCRE2Error`` whose ``PCRE2Error/isResourceLimit`` is true, instead of hanging.
public struct PCRE2Limits: Sendable, Equatable {
    /// How many times PCRE2 may call its internal match function per match attempt.
    /// This is 1,000,000 by default (PCRE2's own default is ten times higher).
    public var matchLimit: UInt32 = 1_000_000
    /// The backtracking depth allowed to the interpreter. This is 100,000 by default.
    public var depthLimit: UInt32 = 100_000
    /// Heap the interpreter may use for backtracking, in KiB. This is 4 MiB by default.
    public var heapLimitKiB: UInt32 = 4096
    /// The largest JIT stack a match may grow, in bytes. This is 1 MiB by default.
    public var jitStackBytes: Int = 1 << 20

    public init() {}
}

/// The per-thread state for matching patterns: a match context carrying the limits and
/// a JIT stack. Not Sendable: each scanner owns one.
public final class PCRE2MatchContext {
    /// Nil only if PCRE2 could not allocate the context (out of memory); matching then
    /// runs with PCRE2's default limits.
    let pointer: OpaquePointer?
    let jitStack: OpaquePointer?
    public let limits: PCRE2Limits

    public init(limits: PCRE2Limits = PCRE2Limits()) {
        let context = pcre2_match_context_create_8(nil)
        let stack = pcre2_jit_stack_create_8(32 * 1024, max(32 * 1024, limits.jitStackBytes), nil)
        if let context {
            pcre2_set_match_limit_8(context, limits.matchLimit)
            pcre2_set_depth_limit_8(context, limits.depthLimit)
            pcre2_set_heap_limit_8(context, limits.heapLimitKiB)
            if let stack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack)) }
        }
        self.pointer = context
        self.jitStack = stack
        self.limits = limits
    }

    deinit {
        if let pointer { pcre2_match_context_free_8(pointer) }
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }
}

/// Matches one compiled pattern against byte subjects, reusing one match-data block.
///
/// Create one matcher per pattern per scanner and keep it: the match data is allocated
/// once, here, never per match. Not Sendable: match data must not be shared between
/// threads.
///
/// - Complexity: each match runs in time bounded by the context's ``PCRE2Limits``.
public final class PCRE2Matcher {
    public let pattern: PCRE2Pattern
    let matchData: OpaquePointer
    let context: PCRE2MatchContext
    private var ovector: UnsafeMutablePointer<Int>

    public init(pattern: PCRE2Pattern, context: PCRE2MatchContext) {
        self.pattern = pattern
        self.context = context
        // Only fails when out of memory, where there is nothing sensible left to do.
        guard let data = pcre2_match_data_create_from_pattern_8(pattern.code, nil) else {
            preconditionFailure("out of memory allocating PCRE2 match data")
        }
        self.matchData = data
        self.ovector = pcre2_get_ovector_pointer_8(data)
    }

    deinit {
        pcre2_match_data_free_8(matchData)
    }

    /// Returns the first match in `subject` that starts at or after byte `start`, or nil.
    ///
    /// After a match, ``captureRange(_:)`` gives the groups of that match until the next
    /// call. Offsets are bytes from the start of `subject`.
    ///
    /// - Throws: a ``PCRE2Error`` of kind `.match` when PCRE2 fails, for example when a
    ///   limit in ``PCRE2Limits`` is exceeded.
    public func firstMatch(in subject: UnsafeRawBufferPointer, from start: Int = 0) throws(PCRE2Error) -> ByteRange? {
        precondition(start >= 0 && start <= subject.count, "start \(start) outside subject of \(subject.count) bytes")
        let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(PCRE2Matcher.emptySubject)
        let status: Int32
        if pattern.isJITCompiled {
            status = pcre2_jit_match_8(pattern.code, base, subject.count, start, 0, matchData, context.pointer)
        } else {
            status = pcre2_match_8(pattern.code, base, subject.count, start, 0, matchData, context.pointer)
        }
        if status == PCRE2_ERROR_NOMATCH || status == PCRE2_ERROR_PARTIAL { return nil }
        if status < 0 { throw PCRE2Error(kind: .match, code: status) }
        // status == 0 would mean the ovector is too small, which cannot happen with
        // match data created from the pattern.
        return ByteRange(start: ovector[0], end: max(ovector[0], ovector[1]))
    }

    /// The byte range of capture group `index` in the last successful match, or nil if
    /// that group did not take part in it or does not exist.
    public func captureRange(_ index: Int) -> ByteRange? {
        guard index >= 0, index <= pattern.captureCount else { return nil }
        let start = ovector[2 * index]
        let end = ovector[2 * index + 1]
        if start == cpcre2_unset() || end == cpcre2_unset() || end < start {
            return nil
        }
        return ByteRange(start: start, end: end)
    }

    /// Calls `body` for each non-overlapping match in `subject`, left to right, stopping
    /// after `limit` matches or when `body` returns false.
    ///
    /// An empty match advances the search to the next UTF-8 boundary, and an empty match
    /// right where the previous match ended is skipped (as rust-pcre2's `Matches` does).
    public func forEachMatch(
        in subject: UnsafeRawBufferPointer,
        limit: Int = .max,
        _ body: (ByteRange) -> Bool
    ) throws(PCRE2Error) -> Int {
        var position = 0
        var lastEnd = -1
        var found = 0
        while position <= subject.count, found < limit {
            guard let range = try firstMatch(in: subject, from: position) else { break }
            if range.isEmpty {
                if range.end == lastEnd {
                    position = PCRE2Matcher.nextBoundary(after: range.end, in: subject)
                    continue
                }
                position = PCRE2Matcher.nextBoundary(after: range.end, in: subject)
            } else {
                position = range.end
            }
            lastEnd = range.end
            found += 1
            if !body(range) { break }
        }
        return found
    }

    /// The offset after the UTF-8 sequence starting at `offset`, or `offset + 1` when the
    /// byte there does not start a valid sequence.
    static func nextBoundary(after offset: Int, in subject: UnsafeRawBufferPointer) -> Int {
        guard offset < subject.count else { return offset + 1 }
        var next = offset + 1
        while next < subject.count, next - offset < 4, subject[next] & 0xC0 == 0x80 { next += 1 }
        return next
    }

    // PCRE2 rejects a null subject pointer even for length 0 (rust-pcre2 issue #42).
    nonisolated(unsafe) static let emptySubject: UnsafeMutablePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()
}
