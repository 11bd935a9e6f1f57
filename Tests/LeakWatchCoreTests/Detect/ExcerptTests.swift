import Testing
@testable import LeakWatchCore

@Suite struct ExcerptTests {
    func excerpt(_ bytes: [UInt8], match: ByteRange, secrets: [ByteRange] = [], show: Bool = false) -> String {
        bytes.withUnsafeBytes { Excerpt.make(line: $0, match: match, secrets: secrets, showSecrets: show) }
    }

    @Test func controlBytesAndInvalidUTF8AreEscaped() {
        let line: [UInt8] = Array("\u{1B}[31mred\u{07}\ttab ".utf8) + [0xFF, 0xC3] + Array("é\u{202E}evil\u{85}".utf8)
        #expect(excerpt(line, match: ByteRange(start: 0, end: line.count))
                == "\\x1b[31mred\\x07\\ttab \\xff\\xc3é\\u{202e}evil\\u{85}")
    }

    @Test func longLinesAreClippedAroundTheMatchAtCharacterBoundaries() {
        let line = Array((String(repeating: "é", count: 100) + "MATCH" + String(repeating: "ü", count: 100)).utf8)
        let text = excerpt(line, match: ByteRange(start: 200, end: 205))
        #expect(text.hasPrefix("…") && text.hasSuffix("…"))
        #expect(text.contains("MATCH"))
        #expect(!text.contains("\\x"))
        #expect(text.utf8.count < 200)
    }

    @Test func aVeryLongMatchIsShortenedInTheMiddle() {
        let line = Array(("<" + String(repeating: "x", count: 5000) + ">").utf8)
        let text = excerpt(line, match: ByteRange(start: 0, end: line.count))
        #expect(text.hasPrefix("<xxx") && text.hasSuffix("xx>") && text.contains(" … "))
        #expect(text.count < 500)
    }

    @Test func secretsAreMaskedUnlessShown() {
        let line = Array("token=abc123 other=xyz789".utf8)
        let secrets = [ByteRange(start: 6, end: 12), ByteRange(start: 19, end: 25)]
        #expect(excerpt(line, match: ByteRange(start: 0, end: 12), secrets: secrets) == "token=[REDACTED] other=[REDACTED]")
        #expect(excerpt(line, match: ByteRange(start: 0, end: 12), secrets: secrets, show: true) == "token=abc123 other=xyz789")
    }

    @Test func aSecretStartingBeforeTheClippedWindowIsStillMasked() {
        let line = Array((String(repeating: "a", count: 200) + "SECRETVALUE" + String(repeating: "b", count: 100)).utf8)
        // The window starts at 285 - 80 = 205, inside the secret at 200..<211.
        let text = excerpt(line, match: ByteRange(start: 285, end: 290), secrets: [ByteRange(start: 200, end: 211)])
        #expect(text.hasPrefix("…[REDACTED]bbb"))
        #expect(!text.contains("VALUE"))
    }
}

extension ExcerptTests {
    @Test func aShortenedLongMatchEndsOnACharacterBoundary() {
        // A 5,000-byte match followed by multi-byte characters: the clipped tail must
        // not split one.
        let line = Array(("<" + String(repeating: "x", count: 5000) + ">!" + String(repeating: "é", count: 200)).utf8)
        let text = excerpt(line, match: ByteRange(start: 0, end: 5002))
        #expect(!text.contains("\\x"))
        #expect(text.hasSuffix("é…"))
    }
}
