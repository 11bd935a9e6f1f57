import CPCRE2

/// A compiled PCRE2 pattern: immutable once built, shared by every thread that matches it.
///
/// Every pattern is compiled with `PCRE2_UTF | PCRE2_MATCH_INVALID_UTF`, so subjects may
/// hold invalid UTF-8 (log lines often do) and still match around the bad bytes; `\w`,
/// `\d` and `\b` stay ASCII (no `PCRE2_UCP`). JIT compilation is attempted and, if it
/// fails, the interpreter is used and ``jitError`` says why.
///
/// ```swift
/// let pattern = try PCRE2Pattern(#"Debugger PIN: (\d{3}-\d{3}-\d{3})"#)
/// ```
///
/// - Complexity: compiling is done once per rule; matching goes through a
///   ``PCRE2Matcher``, whose match data is made once and reused for every line.
public final class PCRE2Pattern: @unchecked Sendable {
    // SAFETY: compiled PCRE2 code is immutable once built (including after JIT
    // compilation, which happens in `init`) and PCRE2 documents it as safe to use from
    // several threads at once. Everything mutable during a match lives in
    // `PCRE2Matcher`, which is not Sendable.

    /// The pattern as written.
    public let source: String
    /// The number of capture groups, not counting group 0 (the whole match).
    public let captureCount: Int
    /// Returns true if and only if matching uses PCRE2's JIT-compiled code.
    public let isJITCompiled: Bool
    /// Why JIT compilation failed, or nil if it succeeded or was not attempted.
    public let jitError: PCRE2Error?

    let code: OpaquePointer

    /// Compiles `source`.
    ///
    /// - Parameters:
    ///   - source: the pattern, in PCRE2 syntax.
    ///   - jit: whether to attempt JIT compilation. This is true by default.
    /// - Throws: a ``PCRE2Error`` of kind `.compile` carrying PCRE2's message and the
    ///   byte offset of the fault in `source`.
    public init(_ source: String, jit: Bool = true) throws(PCRE2Error) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        let flags = UInt32(PCRE2_UTF) | UInt32(PCRE2_MATCH_INVALID_UTF)
        var utf8 = Array(source.utf8)
        if utf8.isEmpty { utf8.append(0) }  // PCRE2 wants a non-null pointer
        let compiled = utf8.withUnsafeBufferPointer { bytes in
            pcre2_compile_8(bytes.baseAddress, source.utf8.count, flags, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw PCRE2Error(kind: .compile, code: errorCode, patternOffset: errorOffset)
        }
        var groups: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &groups)

        var jitFailure: PCRE2Error?
        if jit {
            let status = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE))
            if status != 0 { jitFailure = PCRE2Error(kind: .jit, code: status) }
        }
        self.source = source
        self.code = compiled
        self.captureCount = Int(groups)
        self.isJITCompiled = jit && jitFailure == nil
        self.jitError = jitFailure
    }

    /// The number of the capture group called `name` (`(?<name>…)`), or nil if the
    /// pattern has no such group.
    public func groupNumber(named name: String) -> Int? {
        let bytes = Array(name.utf8) + [0]
        let number = bytes.withUnsafeBufferPointer { pcre2_substring_number_from_name_8(code, $0.baseAddress) }
        return number > 0 ? Int(number) : nil
    }

    deinit {
        pcre2_code_free_8(code)
    }
}
