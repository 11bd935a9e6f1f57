import Testing
@testable import LeakWatchCore

@Suite struct RequiredLiteralsTests {
    // MARK: - Helpers

    /// Whether PCRE2 finds `pattern` in `line`; nil when the pattern does not compile.
    static func pcre2Matches(_ pattern: String, _ line: [UInt8]) -> Bool? {
        guard let compiled = try? PCRE2Pattern(pattern, jit: false) else { return nil }
        let matcher = PCRE2Matcher(pattern: compiled, context: PCRE2MatchContext())
        return (try? line.withUnsafeBytes { try matcher.firstMatch(in: $0) }) != nil
    }

    /// The line as the prefilter sees it: ASCII letters lowercase, every other byte as is.
    static func folded(_ line: [UInt8]) -> [UInt8] {
        line.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
    }

    static func holdsOne(_ line: [UInt8], of literals: [String]) -> Bool {
        let haystack = folded(line)
        return literals.contains { literal in
            let needle = Array(literal.utf8)
            guard needle.count <= haystack.count else { return false }
            return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
    }

    /// The soundness property: if PCRE2 matches a line, the line holds a derived literal.
    /// Returns how many matching lines were checked.
    @discardableResult
    static func expectSound(_ pattern: String, _ lines: [String], minimumLength: Int = 3,
                            sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        guard let literals = RequiredLiterals.derive(from: pattern, minimumLength: minimumLength) else { return 0 }
        var checked = 0
        for line in lines {
            let bytes = Array(line.utf8)
            guard pcre2Matches(pattern, bytes) == true else { continue }
            checked += 1
            #expect(holdsOne(bytes, of: literals), "\(pattern) matches \(line) but it holds none of \(literals)",
                    sourceLocation: sourceLocation)
        }
        return checked
    }

    // MARK: - Expected results

    static let expected: [(String, [String]?)] = [
        (#"Debugger PIN: [0-9]{3}-[0-9]{3}-[0-9]{3}"#, ["debugger pin: "]),
        (#"cmd=(resource|printpin)&(amp;)?[fs]="#, ["cmd=printpin&", "cmd=resource&"]),
        (#"^[A-Z][A-Za-z]*(Error|Exception): "#, ["error: ", "exception: "]),
        // A rare byte beats a longer literal of common ones: `@` hits fewer lines than `http`.
        (#"https?://[^:/ "']+:[^@/ "']+@"#, ["@"]),
        (#"DEBUG *= *True"#, ["debug"]),
        (#"(AKIA|ASIA)[0-9A-Z]{16}"#, ["akia", "asia"]),
        (#"[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd] *[=:] *['"]?[^ '"&]{4,}"#, ["password"]),
        (#"[A-Z]:\\Users\\[^\\]+\\"#, [#":\users\"#]),
        (#"^ +File "[^"]+", line [0-9]+, in "#, [#"", line "#]),
        (#"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\."#, [".eyj"]),
        (#"\* Debugger is active!"#, ["* debugger is active!"]),
        ("[0-9]+", nil),
        ("a|bcd", nil),
        ("(?x) foo", nil),
        ("abc*", nil),
        ("abcd*", ["abc"]),
        ("(abc", nil),
    ]

    @Test(arguments: expected)
    func derivesTheExpectedLiterals(pattern: String, literals: [String]?) {
        #expect(RequiredLiterals.derive(from: pattern) == literals)
    }

    static let edgeCases: [(String, [String]?)] = [
        // Groups, names, zero-width pieces: the text either side is one run of the line.
        ("(?<name>abc)", ["abc"]), ("(?'name'abc)", ["abc"]), ("(?P<name>abc)", ["abc"]),
        ("(?>abc)", ["abc"]), ("(?|abc|abd)", ["abc", "abd"]),
        ("abc(?=def)ghi", ["abcghi"]), ("(?<!x)abc(?!y)", ["abc"]), (#"ab\Kcd"#, ["abcd"]),
        (#"\bword\b"#, ["word"]), ("^abc$", ["abc"]),
        // A comment is dropped before quantifiers are read: `a(?#x)*` repeats the `a`.
        ("ab(?#comment)cd", ["abcd"]), ("abcd(?#x)?e", ["abcde", "abce"]), ("a(?#x)(?#y)*bcd", ["bcd"]), ("(?#x", nil),
        // Quantifiers.
        ("abc{2}", ["abcc"]), ("(ab){2,}x", ["abab"]), ("x(abc)+y", ["abc"]), ("ab?cde", ["abcde", "acde"]),
        ("(abc|)def", ["def"]), ("a{0}bcd", ["bcd"]), ("abcd+?e", ["abc"]), ("(?:abc)*+xyz", ["xyz"]),
        ("a{foo}b", ["a{foo}b"]), ("{}abc", ["{}abc"]), ("x{,3}abc", ["abc"]), ("abc{,3}", nil), ("abc{ 2}", nil),
        ("a{3,2}", nil), ("{2}abc", nil), ("a**", nil),
        // Classes.
        ("[]]abc", ["]abc"]), ("[^]]abc", ["abc"]), ("[.]abc", [".abc"]), (#"[\]]xy"#, ["]xy"]),
        ("[Kk]ey", ["key"]), ("[a-a]bc", ["abc"]), ("[ab]cde", ["cde"]), ("[[:alpha:]]xyz", ["xyz"]),
        (#"[\d]xyz"#, ["xyz"]), ("[a-]xyz", ["xyz"]), ("[x", nil), ("[[.a.]]", nil),
        // Escapes.
        (#"\x41BC"#, ["abc"]), (#"\x{263A}xy"#, ["☺xy"]), (#"\o{101}bc"#, ["abc"]), (#"\041bc"#, ["!bc"]),
        (#"a\.b\-c"#, ["a.b-c"]), (#"tab\there"#, ["tab\there"]), (#"abc\ndef"#, ["abc"]),
        (#"\p{L}abc"#, ["abc"]), (#"\pLabc"#, ["abc"]), (#"\d\w\s\Nabc"#, ["abc"]), (#"\cAabc"#, ["abc"]),
        // Case: (?i) is fine for ASCII except k and s (U+212A, U+017F), never for non-ASCII.
        ("(?i)abc", ["abc"]), ("(?i)market", ["mar"]), ("(?i)sk", nil), ("(?i)[Kk]ey", nil),
        ("(?i:abc)def", ["abcdef"]), ("(?i)x(?-i)key", ["xkey"]),
        // (?i) carries into later branches of its group, and ends with the group.
        ("(abc(?i)d|skip)", nil), ("(abc(?i)d|xyz)skip", ["abcdskip", "xyzskip"]),
        ("café", ["café"]), ("(?i)cafébar", ["bar"]), ("ÉCOLE", ["École"]),
        // Long literals are cut into runs of at most 64 bytes.
        (String(repeating: "a", count: 100), [String(repeating: "a", count: 64)]),
        // Unsupported or invalid: nil, never a trap.
        (#"(a)\1bcd"#, nil), (#"\Qabc\E"#, nil), ("(*UTF)abc", nil), ("a(*ACCEPT)bcd", nil),
        ("(?(1)abc|abd)", nil), ("(?R)abc", nil), ("(?1)abc", nil), ("abc(?x)", nil), ("(?xx)abc", nil),
        (#"\k<n>abc"#, nil), (#"\g1abc"#, nil), (#"\N{U+41}bc"#, nil), (#"\uabc"#, nil), ("", nil), ("abc)", nil),
        (#"abc\"#, nil), (#"\x{110000}abc"#, nil), (#"\x{D800}abc"#, nil), ("(?Cabc)", nil), (#"\p{"#, nil),
        ("(?<=", nil), ("(?P=n)abc", nil), ("(?<>abc)", nil), ("(?", nil), ("[", nil), ("*abc", nil),
        // Numbers too big for PCRE2 neither overflow nor trap.
        (#"\o{77777777777}abc"#, nil), (#"\x{FFFFFFFFF}abc"#, nil), ("a{99999999999}bcd", ["bcd"]),
    ]

    @Test(arguments: edgeCases)
    func edgeCase(pattern: String, literals: [String]?) {
        #expect(RequiredLiterals.derive(from: pattern) == literals)
    }

    static let coverage: [(String, [String], Bool)] = [
        ("<h2>(?:Traceback|Exception):</h2>", ["traceback:", "exception:"], true),
        ("<h2>(?:Traceback|Exception):</h2>", ["traceback:"], false),      // the Bottle slip
        (#"passw(?:or)?d\s*="#, ["password="], false),                     // "password =" misses it
        (#"passw(?:or)?d\s*="#, ["password", "passwd"], true),
        ("(AKIA|ASIA)[0-9A-Z]{16}", ["akia", "asia"], true),
        ("Debugger PIN: [0-9]+", ["DEBUGGER"], true),                      // case is ignored
        (#"x(?=.*secret)"#, ["secret"], true),                             // a lookahead is in the line
        (#"x(?!.*secret)"#, ["secret"], false),
        ("(?:abc)?def", ["abc"], false), ("(?:abc)+def", ["abc"], true),
        ("abc", [], false), ("(", ["("], false),
    ]

    @Test(arguments: coverage)
    func keywordsCover(pattern: String, keywords: [String], covered: Bool) {
        #expect(RequiredLiterals.keywordsCover(pattern, keywords: keywords) == covered)
    }

    @Test func minimumLengthIsHonoured() {
        #expect(RequiredLiterals.derive(from: "abc*", minimumLength: 2) == ["ab"])
        #expect(RequiredLiterals.derive(from: "a|bcd", minimumLength: 1) == ["a", "bcd"])
        #expect(RequiredLiterals.derive(from: "abcd", minimumLength: 5) == nil)
        #expect(RequiredLiterals.derive(from: "", minimumLength: 0) == nil)
        #expect(RequiredLiterals.derive(from: "a?", minimumLength: 0) == nil)
    }

    @Test func nestingIsLimitedLikePCRE2() {
        let deep = String(repeating: "(", count: 100) + "abc" + String(repeating: ")", count: 100)
        #expect(RequiredLiterals.derive(from: deep) == ["abc"])
        let tooDeep = String(repeating: "(", count: 5000) + "abc" + String(repeating: ")", count: 5000)
        #expect(RequiredLiterals.derive(from: tooDeep) == nil)
    }

    @Test func manyBranchesAreAllKept() {
        let words = (0..<40).map { "word\($0)x" }
        #expect(RequiredLiterals.derive(from: words.joined(separator: "|")) == words.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    /// PCRE2 in UTF mode matches `(?i)k` against U+212A and `(?i)s` against U+017F: the
    /// reason those letters are not literals under `(?i)`.
    @Test func caselessKAndSMatchNonASCII() {
        #expect(Self.pcre2Matches("(?i)k", Array("\u{212A}".utf8)) == true)
        #expect(Self.pcre2Matches("(?i)s", Array("\u{017F}".utf8)) == true)
        #expect(Self.pcre2Matches("(?i)[k]", Array("\u{212A}".utf8)) == true)
        #expect(Self.expectSound("(?i)market", ["MAR\u{212A}ET", "market"]) == 2)
        #expect(Self.expectSound("(?i)password", ["pa\u{017F}\u{017F}word"]) == 1)
    }

    // MARK: - The benchmark baseline

    /// `/work/shared/bench/patterns-baseline.txt`, with a line each pattern matches.
    static let baseline: [(pattern: String, example: String)] = [
        (#"Debugger PIN: [0-9]{3}-[0-9]{3}-[0-9]{3}"#, " * Debugger PIN: 123-456-789"),
        (#"\* Debugger is active!"#, " * Debugger is active!"),
        (#"\* Debug mode: on"#, " * Debug mode: on"),
        (#"WARNING: This is a development server\."#, "WARNING: This is a development server. Do not use it"),
        (#"__debugger__=yes"#, "GET /?__debugger__=yes&cmd=resource HTTP/1.1"),
        (#"cmd=(resource|printpin)&(amp;)?[fs]="#, "GET /?__debugger__=yes&cmd=resource&amp;f=style.css"),
        (#"// Werkzeug Debugger</title>"#, "<title>KeyError // Werkzeug Debugger</title>"),
        (#"EVALEX(_TRUSTED)? = (true|false)"#, "  EVALEX_TRUSTED = false,"),
        (#"<div class="debugger">"#, #"<div class="debugger">"#),
        (#"SECRET = "[A-Za-z0-9]{20}""#, #"SECRET = "abcdefghij0123456789";"#),
        (#"Traceback \(most recent call last\):"#, "Traceback (most recent call last):"),
        (#"^ +File "[^"]+", line [0-9]+, in "#, #"  File "/app/x.py", line 12, in main"#),
        (#"^[A-Z][A-Za-z]*(Error|Exception): "#, "ValueError: bad value"),
        (#"During handling of the above exception, another exception occurred"#,
         "During handling of the above exception, another exception occurred:"),
        (#"The above exception was the direct cause of the following exception"#,
         "The above exception was the direct cause of the following exception:"),
        (#"Exception on /[^ ]* \[(GET|POST|PUT|PATCH|DELETE)\]"#, "ERROR in app: Exception on /login [POST]"),
        (#"You're seeing this error because you have <code>DEBUG = True</code>"#,
         "You're seeing this error because you have <code>DEBUG = True</code> in your settings"),
        (#"DEBUG *= *True"#, "DEBUG=True"),
        (#"Whoops, looks like something went wrong"#, "<h1>Whoops, looks like something went wrong.</h1>"),
        (#"Whitelabel Error Page"#, "<h1>Whitelabel Error Page</h1>"),
        (#"Server Error in '/' Application"#, "Server Error in '/' Application."),
        (#"<b>(Fatal error|Parse error|Warning)</b>: .* in <b>/"#, "<b>Warning</b>: oops in <b>/var/www/x.php</b>"),
        (#"^ +at [A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z0-9_$<>]+)+\([A-Za-z0-9_]+\.java:[0-9]+\)"#,
         "    at com.example.Foo.<init>(Foo.java:42)"),
        (#"at [^ ]+ \(/[^):]+\.js:[0-9]+:[0-9]+\)"#, "    at handler (/srv/app/index.js:10:5)"),
        (#"Action Controller: Exception caught"#, "<title>Action Controller: Exception caught</title>"),
        (#"/_profiler/[0-9a-f]{6}"#, "GET /_profiler/a1b2c3 HTTP/1.1"),
        (#"/debug/pprof/"#, "GET /debug/pprof/heap HTTP/1.1"),
        (#"/actuator/(env|heapdump|configprops)"#, "GET /actuator/heapdump HTTP/1.1"),
        (#"/home/[a-z_][a-z0-9_-]*/"#, "open /home/alice/.bashrc"),
        (#"/site-packages/"#, "/usr/lib/python3/site-packages/flask/app.py"),
        (#"/usr/(local/)?lib/python[23](\.[0-9]+)?/"#, "/usr/local/lib/python3.11/json/decoder.py"),
        (#"/var/www/[A-Za-z0-9._-]+/"#, "/var/www/html/index.php"),
        (#"/(opt|srv|app)/[A-Za-z0-9._-]+/[A-Za-z0-9._/-]+\.py"#, "File /srv/app/main.py"),
        (#"/root/\.(ssh|aws)/"#, "cat /root/.aws/credentials"),
        (#"[A-Z]:\\Users\\[^\\]+\\"#, #"C:\Users\bob\Desktop"#),
        (#"(AKIA|ASIA)[0-9A-Z]{16}"#, "key=AKIAIOSFODNN7EXAMPLE"),
        (#"aws_secret_access_key *[=:] *[A-Za-z0-9/+=]{40}"#, "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        (#"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----"#, "-----BEGIN RSA PRIVATE KEY-----"),
        (#"-----BEGIN PGP PRIVATE KEY BLOCK-----"#, "-----BEGIN PGP PRIVATE KEY BLOCK-----"),
        (#"postgres(ql)?://[^:/ "']+:[^@/ "']+@"#, "postgresql://user:pass@db/app"),
        (#"mysql://[^:/ "']+:[^@/ "']+@"#, "mysql://user:pass@db/app"),
        (#"mongodb(\+srv)?://[^:/ "']+:[^@/ "']+@"#, "mongodb+srv://user:pass@cluster0"),
        (#"redis://[^:/ "']*:[^@/ "']+@"#, "redis://:pass@cache:6379"),
        (#"amqps?://[^:/ "']+:[^@/ "']+@"#, "amqps://user:pass@mq"),
        (#"https?://[^:/ "']+:[^@/ "']+@"#, "https://user:pass@example.com"),
        (#"SECRET_KEY *[=:] *['"]?[^ '"]{8,}"#, "SECRET_KEY = 'abcdefgh123'"),
        (#"(ghp|gho|ghs|ghu)_[A-Za-z0-9]{36}"#, "token ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        (#"xox[baprs]-[A-Za-z0-9-]{10,}"#, "xoxb-1234567890-abc"),
        (#"sk_live_[0-9A-Za-z]{24,}"#, "sk_live_abcdefghijklmnopqrstuvwx"),
        (#"AIza[0-9A-Za-z_-]{35}"#, "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234"),
        (#"glpat-[0-9A-Za-z_-]{20}"#, "glpat-abcdefghij0123456789"),
        (#"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"#,
         "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijKLM"),
        (#"[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd] *[=:] *['"]?[^ '"&]{4,}"#, "PASSWORD: 'hunter22'"),
        (#"[Aa]uthorization: *[Bb]earer [A-Za-z0-9._~+/-]{20,}"#, "Authorization: Bearer abcdefghijklmnopqrstuvwxyz"),
    ]

    @Test func everyBaselinePatternDerivesSoundLiterals() {
        #expect(Self.baseline.count == 54)
        let lines = Self.baseline.map(\.example)
        for (pattern, example) in Self.baseline {
            let literals = RequiredLiterals.derive(from: pattern)
            #expect(literals != nil, "\(pattern) is costly")
            #expect(Self.pcre2Matches(pattern, Array(example.utf8)) == true, "\(pattern) does not match \(example)")
            let variants = [example, example.lowercased(), example.uppercased(), String(example.dropFirst()), String(example.dropLast())]
            #expect(Self.expectSound(pattern, variants + lines) >= 1)
        }
    }

    // MARK: - Soundness

    /// Every built-in rule's regex against every example and lookalike of every rule.
    @Test func builtinRulesAreSoundOnTheirSamples() {
        let rules = builtinRules.rules
        let lines = rules.flatMap { $0.examples + $0.lookalikes }.map(\.text)
        var checked = 0
        for rule in rules {
            checked += Self.expectSound(rule.pattern.source, lines)
            checked += Self.expectSound(rule.pattern.source, lines, minimumLength: 1)
        }
        #expect(checked > 50)
    }

    /// Random patterns from a small grammar against random lines over an alphabet that
    /// includes the troublesome characters: U+212A, U+017F, é/É, newline.
    @Test func randomPatternsAreSound() {
        var generator = SplitMix(seed: 0x5EED)
        let atoms = ["a", "b", "k", "K", "s", "é", "ab", "ba", "kab", ".", #"\d"#, #"\s"#, "[ab]", "[Kk]", "[k]", "[^a]",
                     "(?i)", "(?-i)", "^", "$", #"\b"#, #"\K"#, #"\x41"#, #"\x{e9}"#, #"\."#, " ", "-", "[a-c]",
                     "[[:alpha:]]", "{", "}", "a{,2}", "b{ 1}", #"\n"#, "(?=a)", "(?!b)", "(?<=a)", "[^k]", #"[\x{212A}]"#,
                     "(?#c)", #"\x{17F}"#, "[]a]", "[^]a]", "{1,}", "{2,1}", #"\0101"#, "(?i:k)", "É", "[éÉ]", #"\Qa\E"#]
        let quantifiers = ["", "", "", "?", "*", "+", "{2}", "{1,2}", "{0,1}", "+?", "?+"]
        let openers = ["(", "(?:", "(?i:", "(?>", "(?|", "(?<n>", "(?-i:"]
        func pattern(_ depth: Int) -> String {
            (0..<generator.next(1...4)).map { _ in
                var atom = atoms[generator.next(0...(atoms.count - 1))]
                if depth > 0 && generator.next(0...3) == 0 {
                    let branches = (0..<generator.next(1...3)).map { _ in pattern(depth - 1) }
                    atom = openers[generator.next(0...(openers.count - 1))] + branches.joined(separator: "|") + ")"
                }
                return atom + quantifiers[generator.next(0...(quantifiers.count - 1))]
            }.joined()
        }
        let alphabet = ["a", "b", "c", "k", "K", "\u{212A}", "s", "S", "\u{017F}", "é", "É", " ", "1", "A", "B", ".", "-", "\n", "{", "}", ","]
        let keywordChoices = ["a", "b", "k", "ab", "ba", "é", " ", "1"]
        var checked = 0, covered = 0
        for _ in 0..<3000 {
            let source = pattern(2)
            let lines = (0..<40).map { _ in (0..<generator.next(0...10)).map { _ in alphabet[generator.next(0...(alphabet.count - 1))] }.joined() }
            checked += Self.expectSound(source, lines, minimumLength: 1)
            // Claimed coverage must hold too: every matching line holds a keyword.
            let keywords = (0..<generator.next(1...2)).map { _ in keywordChoices[generator.next(0...(keywordChoices.count - 1))] }
            guard RequiredLiterals.keywordsCover(source, keywords: keywords) else { continue }
            for line in lines where Self.pcre2Matches(source, Array(line.utf8)) == true {
                covered += 1
                #expect(Self.holdsOne(Array(line.utf8), of: keywords), "\(source) matches \(line), which holds none of \(keywords)")
            }
        }
        #expect(checked > 1000)
        #expect(covered > 300)
    }
}

/// A small deterministic generator, so a failure can be reproduced.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ range: ClosedRange<Int>) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return range.lowerBound + Int(z % UInt64(range.count))
    }
}
