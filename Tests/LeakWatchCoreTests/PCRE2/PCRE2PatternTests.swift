import Testing
@testable import LeakWatchCore

@Suite struct PCRE2PatternTests {
    func matches(_ pattern: PCRE2Pattern, _ subject: [UInt8], from start: Int = 0) throws -> ByteRange? {
        let matcher = PCRE2Matcher(pattern: pattern, context: PCRE2MatchContext())
        return try subject.withUnsafeBytes { try matcher.firstMatch(in: $0, from: start) }
    }

    @Test func compileErrorCarriesCodeMessageAndOffset() {
        #expect {
            try PCRE2Pattern("abc(def")
        } throws: { error in
            let failure = try #require(error as? PCRE2Error)
            return failure.kind == .compile && failure.patternOffset == 7 && failure.code == 114
                && failure.message.contains("missing closing parenthesis")
        }
    }

    @Test func offsetsAreBytesNotCharacters() throws {
        let pattern = try PCRE2Pattern("PIN")
        // "Zoë " is 5 bytes but 4 characters.
        #expect(try matches(pattern, Array("Zoë PIN".utf8)) == ByteRange(start: 5, end: 8))
    }

    @Test("a 0xFF byte does not hide a later match")
    func invalidUTF8SubjectStillMatches() throws {
        let pattern = try PCRE2Pattern(#"Debugger PIN: (\d+)"#)
        let subject: [UInt8] = [0xFF, 0xC3, 0x28] + Array(" * Debugger PIN: 123".utf8)
        #expect(try matches(pattern, subject) == ByteRange(start: 6, end: 23))
    }

    @Test func emptySubjectIsMatchedWithoutANullPointer() throws {
        #expect(try matches(try PCRE2Pattern("^$"), []) == ByteRange(start: 0, end: 0))
        #expect(try matches(try PCRE2Pattern("x"), []) == nil)
    }

    @Test func captureRangesAndUnsetGroups() throws {
        let pattern = try PCRE2Pattern("(a)|(b)")
        let matcher = PCRE2Matcher(pattern: pattern, context: PCRE2MatchContext())
        let found = try Array("xb".utf8).withUnsafeBytes { try matcher.firstMatch(in: $0) }
        #expect(found == ByteRange(start: 1, end: 2))
        #expect(matcher.captureRange(1) == nil)
        #expect(matcher.captureRange(2) == ByteRange(start: 1, end: 2))
        #expect(matcher.captureRange(3) == nil)
        #expect(pattern.captureCount == 2)
    }

    @Test func forEachMatchAdvancesPastEmptyMatchesByCharacter() throws {
        let matcher = PCRE2Matcher(pattern: try PCRE2Pattern("x*"), context: PCRE2MatchContext())
        var ranges: [ByteRange] = []
        _ = try Array("éxx".utf8).withUnsafeBytes { subject in
            try matcher.forEachMatch(in: subject) { ranges.append($0); return true }
        }
        // An empty match at 0, then "xx" after the two-byte é, then none right after it.
        #expect(ranges == [ByteRange(start: 0, end: 0), ByteRange(start: 2, end: 4)])
    }

    static let agreementCases: [(String, String)] = [
        (#"\bEVALEX\s*=\s*true\b"#, "          EVALEX = true,"),
        (#"\* Debugger (?:PIN|pin code):\s*(\S+)"#, " * Debugger pin code: 938-294-672"),
        ("(?i)traceback", "TRACEBACK here"),
        (#"[?&]__debugger__=yes"#, "GET /?__debugger__=yes&cmd=resource HTTP/1.1"),
        (#"^\s+at "#, "no match here"),
        (#"é+"#, "caféé!"),
    ]

    @Test(arguments: agreementCases)
    func jitAndInterpreterAgree(pattern: String, subject: String) throws {
        let jit = try PCRE2Pattern(pattern)
        let interpreted = try PCRE2Pattern(pattern, jit: false)
        #expect(!interpreted.isJITCompiled)
        if PCRE2Library.isJITAvailable { #expect(jit.isJITCompiled) }
        var bytes = Array(subject.utf8)
        #expect(try matches(jit, bytes) == matches(interpreted, bytes))
        bytes.insert(0xFF, at: bytes.count / 2)
        #expect(try matches(jit, bytes) == matches(interpreted, bytes))
    }

    @Test(arguments: [true, false])
    func catastrophicPatternIsStoppedByTheMatchLimit(jit: Bool) throws {
        let pattern = try PCRE2Pattern("^(a|aa)+$", jit: jit)
        var limits = PCRE2Limits()
        limits.matchLimit = 10_000
        let matcher = PCRE2Matcher(pattern: pattern, context: PCRE2MatchContext(limits: limits))
        let subject = Array(String(repeating: "a", count: 60).utf8) + [UInt8(ascii: "b")]
        #expect {
            try subject.withUnsafeBytes { try matcher.firstMatch(in: $0) }
        } throws: { error in
            let failure = try #require(error as? PCRE2Error)
            return failure.kind == .match && failure.isResourceLimit && failure.message.contains("limit")
        }
    }

    @Test func libraryReportsVersionAndJIT() {
        #expect(PCRE2Library.version.hasPrefix("10."))
    }
}
