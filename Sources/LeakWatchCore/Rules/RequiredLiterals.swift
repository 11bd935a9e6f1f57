import Glibc

/// Derives, from a rule's regex, literals of which at least one occurs in every line the
/// regex matches, so the keyword prefilter can skip the regex on lines holding none.
///
/// A recursive-descent parser reads a subset of PCRE2. Each piece of the pattern gets an
/// *exact* set (every string it matches, if at most 16 of at most 64 bytes) and a *best*
/// requirement (strings of which one occurs in every match). Anything else (`(?x)`,
/// `\Q…\E`, backreferences, conditionals, recursion, callouts, `(*VERB)`s, unknown
/// escapes) or an invalid pattern gives nil: the rule is costly, never wrongly skipped.
///
/// Invariants: literals are folded (ASCII letters lowercase, other bytes as written), hold
/// no `\n` (the prefilter is line by line), are at least `minimumLength` bytes or hold a
/// rare byte (``ByteRarity``), and (in sets of up to 64) do not contain one another. Of
/// the sets every match needs, the one expected to hit the fewest lines is chosen, by
/// byte rarity, not length: `@` beats `http://`. Under `(?i)`, `k` and `s` count as "any"
/// (in UTF mode PCRE2 matches them against U+212A and U+017F), as does all non-ASCII.
///
/// - Complexity: O(n) in the pattern's n bytes, each piece combining sets of at most 16
///   strings of at most 64 bytes (an alternation's requirement unions its branches'
///   requirements). Groups nest at most 250 deep, as in PCRE2, so the stack is bounded.
public enum RequiredLiterals {
    /// A set of lowercase ASCII-folded literals of which at least one occurs in every match
    /// of `pattern` (PCRE2 syntax, compiled with PCRE2_UTF, no PCRE2_CASELESS unless the
    /// pattern says (?i)), chosen to be as selective as possible; nil when no such set
    /// has every member at least `minimumLength` bytes long or holding a rare byte (the
    /// rule is then "costly": its regex must run on every line).
    ///
    /// - Parameters:
    ///   - pattern: the regex; one that is invalid or not understood gives nil.
    ///   - minimumLength: the shortest useful literal, in bytes. 3 by default; an empty
    ///     literal is never returned.
    /// - Returns: the literals sorted by their bytes, or nil.
    public static func derive(from pattern: String, minimumLength: Int = 3) -> [String]? {
        var parser = Parser(pattern)
        guard let root = try? parser.parsePattern(), let set = root.requirement,
              set.allSatisfy({ isUsable($0, minimumLength: minimumLength) }) else { return nil }
        return set.sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Returns true if and only if every line `pattern` matches is shown to hold one of
    /// `keywords` (ASCII case ignored): the check that a rule's hand-written keywords
    /// lose no finding. False means "not shown", not "unsound": the analysis is the one
    /// `derive` uses, and gives up where it does (lookaheads that carry the keyword are
    /// seen; a keyword spanning a piece it cannot spell out is not).
    public static func keywordsCover(_ pattern: String, keywords: [String]) -> Bool {
        let folded = keywords.map { Array($0.utf8).map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 } }
        guard !folded.isEmpty, !folded.contains([]) else { return false }
        var parser = Parser(pattern, keywords: folded)
        return (try? parser.parsePattern())?.covered ?? false
    }
}

extension RequiredLiterals {
    /// A literal shorter than the minimum is still worth a keyword if it holds a byte
    /// this rare (1 in 1024 bytes of typical text, such as `@`).
    static let rareByteBits = 10.0

    static func isUsable(_ literal: [UInt8], minimumLength: Int) -> Bool {
        !literal.isEmpty && (literal.count >= minimumLength || literal.contains { ByteRarity.bits($0) >= rareByteBits })
    }
}

/// Thrown at anything the parser does not fully understand; `derive` then returns nil.
private struct Unsupported: Error {}

private typealias Literals = Set<[UInt8]>

/// What is known about one piece of a pattern.
private struct Piece {
    /// Every string the piece can match (folded), or nil if too many or too long.
    var exact: Literals?
    /// One of these occurs in every match of the piece; nil if nothing is known.
    var best: Literals?
    /// Every line the piece matches in holds one of the parser's keywords (for
    /// ``RequiredLiterals/keywordsCover(_:keywords:)``; false without keywords).
    var covered = false

    static let maxCount = 16, maxLength = 64
    /// Matches only "": anchors, lookarounds, option settings.
    static let empty = Piece(exact: [[]], best: nil)
    /// Matches something unknown.
    static let any = Piece(exact: nil, best: nil)

    /// The more selective of `exact` (minimized) and `best`; nil if neither requires anything.
    var requirement: Literals? { Piece.better(exact.map(Piece.minimized), best) }

    /// Sets score by how few lines they are expected to hit: their least selective
    /// member's ``ByteRarity/selectivity(_:)``, less log2 of their size (every member can
    /// hit). A set holding "" requires nothing and scores 0. Ties keep `a`; two zeros
    /// give nil.
    static func better(_ a: Literals?, _ b: Literals?) -> Literals? {
        let (scoreA, scoreB) = (score(a), score(b))
        if scoreA == 0 && scoreB == 0 { return nil }
        return scoreB > scoreA ? b : a
    }

    static func score(_ set: Literals?) -> Double {
        guard let set, !set.isEmpty, !set.contains([]) else { return 0 }
        let weakest = set.map(ByteRarity.selectivity).min() ?? 0
        return max(weakest - log2(Double(set.count)), Double.ulpOfOne)
    }

    /// Drops members that contain another member: a line holding one holds the other.
    /// Sets of more than 64 are left as they are, to stay cheap.
    static func minimized(_ set: Literals) -> Literals {
        guard set.count > 1, set.count <= 64 else { return set }
        return set.filter { long in !set.contains { $0 != long && contains(long, $0) } }
    }

    /// Returns true if and only if every member of `set` (one of which every match holds)
    /// holds one of `keywords`.
    static func covers(_ set: Literals?, _ keywords: [[UInt8]]) -> Bool {
        guard let set, !set.isEmpty, !keywords.isEmpty else { return false }
        return set.allSatisfy { member in keywords.contains { contains(member, $0) } }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// Every `a + b`, or nil past 16 strings or 64 bytes.
    static func product(_ left: Literals, _ right: Literals) -> Literals? {
        var result: Literals = []
        for a in left {
            for b in right {
                guard a.count + b.count <= maxLength else { return nil }
                result.insert(a + b)
                if result.count > maxCount { return nil }
            }
        }
        return result
    }

    /// `set` repeated `count` times, or nil past the caps. At most 65 rounds run: each
    /// lengthens the longest member or adds a member, unless the set is {""}.
    static func power(_ set: Literals, _ count: Int) -> Literals? {
        if set == [[]] { return set }
        var result: Literals = [[]]
        for _ in 0..<count {
            guard let next = product(result, set) else { return nil }
            result = next
        }
        return result
    }

    /// Pieces one after another: runs of exact pieces are multiplied together; each run,
    /// and each piece's own requirement, is a candidate for `best`.
    static func sequence(_ pieces: [Piece], keywords: [[UInt8]]) -> Piece {
        var run: Literals = [[]], allExact = true, best: Literals? = nil
        var covered = pieces.contains { $0.covered }
        for piece in pieces {
            if let exact = piece.exact, let next = product(run, exact) {
                run = next
            } else {  // an inexact piece or an overflow closes the run
                best = better(best, minimized(run))
                covered = covered || covers(run, keywords)
                run = piece.exact ?? [[]]
                allExact = false
            }
            best = better(best, piece.requirement)
        }
        return Piece(exact: allExact ? run : nil, best: better(best, minimized(run)),
                     covered: covered || covers(run, keywords))
    }

    /// Branches separated by `|`: every match holds one of the branches' requirements.
    static func alternation(_ branches: [Piece], keywords: [[UInt8]]) -> Piece {
        guard let first = branches.first, branches.count > 1 else { return branches.first ?? .empty }
        var exact = first.exact, best = first.requirement
        for branch in branches.dropFirst() {
            if let more = branch.exact, exact != nil { exact?.formUnion(more) } else { exact = nil }
            if let count = exact?.count, count > maxCount { exact = nil }
            if let more = branch.requirement, best != nil { best?.formUnion(more) } else { best = nil }
        }
        return Piece(exact: exact, best: best.map(minimized),
                     covered: branches.allSatisfy(\.covered) || covers(exact, keywords))
    }

    /// The piece repeated `minimum...maximum` times (`maximum` nil for no limit).
    func repeated(_ minimum: Int, _ maximum: Int?, keywords: [[UInt8]]) -> Piece {
        if maximum == 0 { return .empty }
        guard minimum > 0 else {
            guard maximum == 1, let exact else { return .any }
            return Piece(exact: exact.union([[]]), best: nil)
        }
        let prefix = exact.flatMap { Piece.power($0, minimum) }  // every match starts with one
        return Piece(exact: minimum == maximum ? prefix : nil, best: Piece.better(prefix.map(Piece.minimized), requirement),
                     covered: covered || Piece.covers(prefix, keywords))
    }
}

/// Parses a pattern, one Unicode scalar at a time, into a `Piece`, throwing
/// `Unsupported` at the first doubt.
private struct Parser {
    let chars: [Unicode.Scalar]
    /// Folded keywords whose coverage is being checked; empty when deriving.
    let keywords: [[UInt8]]
    var index = 0
    /// Whether `(?i)` is in force here.
    var caseless = false
    var depth = 0

    init(_ pattern: String, keywords: [[UInt8]] = []) {
        chars = Array(pattern.unicodeScalars)
        self.keywords = keywords
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? { index + offset < chars.count ? chars[index + offset] : nil }
    private func peek(in set: String, _ offset: Int = 0) -> Bool { peek(offset).map { set.unicodeScalars.contains($0) } ?? false }

    private mutating func next() throws(Unsupported) -> Unicode.Scalar {
        guard let char = peek() else { throw Unsupported() }
        index += 1
        return char
    }

    /// Consumes `char` if it comes next.
    private mutating func take(_ char: Unicode.Scalar) -> Bool {
        guard peek() == char else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ char: Unicode.Scalar) throws(Unsupported) {
        guard take(char) else { throw Unsupported() }
    }

    private static func isLetter(_ char: Unicode.Scalar) -> Bool { ("a"..."z").contains(char) || ("A"..."Z").contains(char) }
    private static func isDigit(_ char: Unicode.Scalar) -> Bool { ("0"..."9").contains(char) }

    mutating func parsePattern() throws(Unsupported) -> Piece {
        let piece = try parseAlternation()
        guard index == chars.count else { throw Unsupported() }  // a stray `)`
        return piece
    }

    private mutating func parseAlternation() throws(Unsupported) -> Piece {
        var branches = [try parseSequence()]
        while take("|") { branches.append(try parseSequence()) }
        return Piece.alternation(branches, keywords: keywords)
    }

    private mutating func parseSequence() throws(Unsupported) -> Piece {
        var pieces: [Piece] = []
        while true {
            try skipComments()
            guard let char = peek(), char != "|", char != ")" else { break }
            if char == "{", try braces() != nil { throw Unsupported() }  // nothing to repeat
            var piece = try parseAtom()
            if let (minimum, maximum) = try quantifier() {
                piece = piece.repeated(minimum, maximum, keywords: keywords)
                _ = take("?") || take("+")  // lazy or possessive
                if try quantifier() != nil { throw Unsupported() }
            }
            pieces.append(piece)
        }
        return Piece.sequence(pieces, keywords: keywords)
    }

    /// Consumes a quantifier and returns its bounds (`max` nil for no limit), or nil.
    private mutating func quantifier() throws(Unsupported) -> (Int, Int?)? {
        try skipComments()
        if take("*") { return (0, nil) }
        if take("+") { return (1, nil) }
        if take("?") { return (0, 1) }
        guard peek() == "{", let (bounds, end) = try braces() else { return nil }
        index = end
        return bounds
    }

    /// Skips `(?#…)` comments, which PCRE2 drops first: `a(?#…)*` repeats the `a`.
    private mutating func skipComments() throws(Unsupported) {
        while peek() == "(" && peek(1) == "?" && peek(2) == "#" {
            index += 3
            while try next() != ")" {}
        }
    }

    /// Reads `{…}` at `index` without consuming it: its bounds and end, or nil when PCRE2
    /// takes it as a literal `{`. Digits, commas, spaces and tabs that are not exactly
    /// `{n}`, `{n,}` or `{n,m}` may be a quantifier in some PCRE2 versions (`{,m}`,
    /// `{ n }`), so they count as `{0,}`: sound whether PCRE2 repeats the atom or not.
    private func braces() throws(Unsupported) -> ((Int, Int?), Int)? {
        var end = index + 1
        while end < chars.count, "0123456789, \t".unicodeScalars.contains(chars[end]) { end += 1 }
        guard end < chars.count, chars[end] == "}", end > index + 1 else { return nil }
        let parts = chars[(index + 1)..<end].split(separator: ",", omittingEmptySubsequences: false)
        let numbers = parts.map { $0.isEmpty || $0.count > 6 || !$0.allSatisfy(Parser.isDigit) ? nil : $0.reduce(0) { $0 * 10 + Int($1.value) - 48 } }
        guard parts.count <= 2, let minimum = numbers[0], parts.count == 1 || parts[1].isEmpty || numbers[1] != nil else {
            return ((0, nil), end + 1)
        }
        let maximum: Int? = parts.count == 1 ? minimum : numbers[1]
        guard minimum <= 65535, (maximum ?? minimum) <= 65535, minimum <= (maximum ?? minimum) else { throw Unsupported() }
        return ((minimum, maximum), end + 1)
    }

    private mutating func parseAtom() throws(Unsupported) -> Piece {
        switch try next() {
        case "(": return try parseGroup()
        case "[": return try parseClass()
        case ".": return .any
        case "^", "$": return .empty
        case "\\": return try parseEscape()
        case "*", "+", "?": throw Unsupported()
        case let char: return literal(char)
        }
    }

    /// The piece for one character: folded, or "any" where the prefilter cannot see it.
    private func literal(_ char: Unicode.Scalar) -> Piece {
        guard char != "\n" else { return .any }  // the prefilter works line by line
        guard char.isASCII else { return caseless ? .any : exactly(Array(String(Character(char)).utf8)) }
        if caseless && "kKsS".unicodeScalars.contains(char) { return .any }
        return exactly([UInt8(char.value) | (("A"..."Z").contains(char) ? 0x20 : 0)])
    }

    private func exactly(_ bytes: [UInt8]) -> Piece {
        Piece(exact: [bytes], best: nil, covered: Piece.covers([bytes], keywords))
    }

    /// After `(`: a group, a lookaround (which requires nothing) or an option setting. `(?i)` lasts to the end of the enclosing group, across later branches.
    private mutating func parseGroup() throws(Unsupported) -> Piece {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 250, peek() != "*" else { throw Unsupported() }  // (*VERB)
        let saved = caseless
        var lookaround = false, negative = false
        if take("?") {
            switch try next() {
            case ":", ">", "|": break
            case "=", "!":
                lookaround = true
                negative = chars[index - 1] == "!"
            case "<" where peek(in: "=!"):
                negative = peek() == "!"
                index += 1
                lookaround = true
            case "<": try skipName(until: ">")
            case "'": try skipName(until: "'")
            case "P":
                try expect("<")
                try skipName(until: ">")
            default:
                index -= 1
                if try parseOptions() { return .empty }
            }
        }
        let inner = try parseAlternation()
        try expect(")")
        caseless = saved
        // A lookaround matches nothing, but what a positive one sees is in the line too.
        return lookaround ? Piece(exact: [[]], best: nil, covered: !negative && inner.covered) : inner
    }

    private mutating func skipName(until close: Unicode.Scalar) throws(Unsupported) {
        let start = index
        while let char = peek(), char != close {
            let allowed = char == "_" || !char.isASCII || Parser.isLetter(char) || (index > start && Parser.isDigit(char))
            guard allowed else { throw Unsupported() }
            index += 1
        }
        guard index > start else { throw Unsupported() }
        try expect(close)
    }

    /// Option letters after `(?`: true for `(?i)`, false for `(?i:` (the caller parses that
    /// group, whose end restores the setting). Only `i` matters; `x` and others throw.
    private mutating func parseOptions() throws(Unsupported) -> Bool {
        var on = true
        if take("^") { caseless = false }
        while true {
            switch try next() {
            case ")": return true
            case ":": return false
            case "-": on = false
            case "i": caseless = on
            case "m", "s", "n", "J", "U": break
            default: throw Unsupported()  // x, conditionals, recursion, callouts, …
            }
        }
    }

    private static let controls: [Unicode.Scalar: Unicode.Scalar] = [
        "t": "\t", "n": "\n", "r": "\r", "f": "\u{0C}", "e": "\u{1B}", "a": "\u{07}",
    ]

    /// The character an escape stands for, in a class or not: `\t \n \r \f \e \a`,
    /// `\xHH`, `\x{H…}`, `\0oo`, `\o{…}`, or escaped punctuation; nil for other letters
    /// and digits, which the caller handles or rejects.
    private mutating func escapedCharacter(_ letter: Unicode.Scalar) throws(Unsupported) -> Unicode.Scalar? {
        if let control = Parser.controls[letter] { return control }
        switch letter {
        case "0": return try number(radix: 8, maxDigits: 2, braced: false)
        case "o":
            guard take("{") else { throw Unsupported() }
            return try number(radix: 8, maxDigits: 8, braced: true)
        case "x":
            let braced = take("{")
            return try number(radix: 16, maxDigits: braced ? 8 : 2, braced: braced)
        case _ where Parser.isLetter(letter) || Parser.isDigit(letter): return nil
        default: return letter
        }
    }

    /// Up to `maxDigits` ASCII digits (then `}` if `braced`), as a Unicode scalar.
    private mutating func number(radix: Int, maxDigits: Int, braced: Bool) throws(Unsupported) -> Unicode.Scalar {
        var value = 0, digits = 0
        while digits < maxDigits, let char = peek(), char.isASCII, let digit = Character(char).hexDigitValue, digit < radix {
            value = value * radix + digit
            digits += 1
            index += 1
        }
        if braced {
            guard digits > 0 else { throw Unsupported() }
            try expect("}")
        }
        guard let scalar = Unicode.Scalar(UInt32(value)) else { throw Unsupported() }  // a surrogate, or past U+10FFFF
        return scalar
    }

    private mutating func parseEscape() throws(Unsupported) -> Piece {
        let letter = try next()
        if let char = try escapedCharacter(letter) { return literal(char) }
        switch letter {
        case "b", "B", "A", "z", "Z", "G", "K": return .empty  // zero-width: the text around is one run
        case "p", "P": try skipProperty()
        case "c": guard try next().isASCII else { throw Unsupported() }
        case "N" where peek() == "{": throw Unsupported()
        case "d", "D", "w", "W", "s", "S", "h", "H", "v", "V", "N", "R", "X", "C": break
        default: throw Unsupported()  // backreferences, \Q…\E, \g, \k, unknown letters
        }
        return .any
    }

    private mutating func skipProperty() throws(Unsupported) {
        if take("{") {
            while try next() != "}" {}
        } else {
            guard let char = peek(), Parser.isLetter(char) else { throw Unsupported() }
            index += 1
        }
    }

    /// After `[`: a literal when the class holds one character after ASCII case folding,
    /// otherwise "any" (negated classes too).
    private mutating func parseClass() throws(Unsupported) -> Piece {
        let negated = take("^")
        var members: Set<UInt32> = [], many = false, first = true
        while try next() != "]" || first {
            index -= 1
            first = false
            guard let low = try classMember() else { many = true; continue }
            if peek() == "-", let after = peek(1), after != "]" {
                index += 1
                guard !(after == "[" && peek(in: ":.=", 1)), let high = try classMember(), low <= high else { throw Unsupported() }
                if high.value - low.value > 256 { many = true } else { members.formUnion(low.value...high.value) }
            } else {
                members.insert(low.value)
            }
        }
        let folded = Set(members.map { (65...90).contains($0) ? $0 | 0x20 : $0 })
        guard !negated, !many, folded.count == 1, let only = folded.first.flatMap(Unicode.Scalar.init) else { return .any }
        return literal(only)
    }

    /// One class member: its character, or nil for a set (`\d`, `[:alpha:]`, `\p{L}`, …).
    private mutating func classMember() throws(Unsupported) -> Unicode.Scalar? {
        let char = try next()
        if char == "[", peek(in: ":.=") {
            guard take(":") else { throw Unsupported() }  // [.x.] and [=x=]
            _ = take("^")
            while let letter = peek(), ("a"..."z").contains(letter) { index += 1 }
            try expect(":")
            try expect("]")
            return nil
        }
        guard char == "\\" else { return char }
        let letter = try next()
        if letter == "b" { return "\u{08}" }
        if let value = try escapedCharacter(letter) { return value }
        if letter == "p" || letter == "P" { try skipProperty() }
        guard "dDwWsShHvVpP".unicodeScalars.contains(letter) else { throw Unsupported() }
        return nil
    }
}
