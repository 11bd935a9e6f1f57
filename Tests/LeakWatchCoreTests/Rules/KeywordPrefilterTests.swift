import Testing
@testable import LeakWatchCore

@Suite struct KeywordPrefilterTests {
    /// `(lineIndex, line text, candidate rules)` for each reported line.
    func scan(_ text: String, _ keywords: [[String]], everyLine: Bool = false) -> [(Int, String, [Int32])] {
        let prefilter = KeywordPrefilter(keywords: keywords)
        let scratch = KeywordPrefilter.Scratch(for: prefilter)
        var lines: [(Int, String, [Int32])] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            prefilter.scanLines(raw, everyLine: everyLine, scratch: scratch) { index, start, end, candidates in
                lines.append((index, String(decoding: raw[start..<end], as: UTF8.self), candidates.sorted()))
            }
        }
        return lines
    }

    @Test func reportsOnlyLinesWithAKeywordAndWhichRules() {
        let lines = scan("nothing\nthe Debugger PIN\nsecret here\nDEBUGGER and SECRET\n", [["debugger"], ["secret"], ["pin"]])
        #expect(lines.map(\.0) == [1, 2, 3])
        #expect(lines.map(\.1) == ["the Debugger PIN\n", "secret here\n", "DEBUGGER and SECRET\n"])
        #expect(lines.map(\.2) == [[0, 2], [1], [0, 1]])
    }

    @Test func overlappingKeywordsAreAllFound() {
        // The classic Aho-Corasick set: "she" holds "he", "hers" starts with "he".
        let lines = scan("ushers\n", [["he"], ["she"], ["his"], ["hers"]])
        #expect(lines.map(\.2) == [[0, 1, 3]])
    }

    @Test func keywordsDoNotSpanLines() {
        #expect(scan("deb\nugger\n", [["debugger"]]).isEmpty)
    }

    @Test func aLastLineWithoutNewlineIsReported() {
        #expect(scan("a\nfinal pin", [["pin"]]).map(\.1) == ["final pin"])
    }

    @Test func everyLineModeReportsLinesWithoutKeywords() {
        #expect(scan("x\ny\n", [["pin"]], everyLine: true).map(\.0) == [0, 1])
    }

    @Test func nonASCIIKeywordsAndBytesWork() {
        #expect(scan("\u{FF}ÉTÉ été\n", [["été"]]).map(\.2) == [[0]])
    }

    @Test func aRuleWithoutKeywordsIsNeverACandidate() {
        #expect(scan("anything\n", [[], ["any"]]).map(\.2) == [[1]])
    }
}
