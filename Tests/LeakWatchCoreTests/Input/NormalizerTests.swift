import Testing
@testable import LeakWatchCore

/// Runs one decoding step over `text`: the output and whether it changed anything.
private func decode(_ step: (UnsafeRawBufferPointer, inout [UInt8]) -> Bool, _ text: String) -> (String, Bool) {
    var output: [UInt8] = []
    let changed = Array(text.utf8).withUnsafeBytes { step($0, &output) }
    return (String(decoding: output, as: UTF8.self), changed)
}

@Suite struct ANSIStripperTests {
    @Test func stripsWerkzeugColours() {
        let line = "127.0.0.1 - - [03/Dec/2026 17:26:17] \"\u{1B}[33mGET /console HTTP/1.1\u{1B}[0m\" 404 -"
        #expect(decode(ANSIStripper.strip, line) == ("127.0.0.1 - - [03/Dec/2026 17:26:17] \"GET /console HTTP/1.1\" 404 -", true))
    }

    @Test func keepsWhatIsNotASequence() {
        #expect(decode(ANSIStripper.strip, "plain") == ("plain", false))
        #expect(decode(ANSIStripper.strip, "lone \u{1B} escape and \u{1B}[12") == ("lone \u{1B} escape and \u{1B}[12", false))
        #expect(decode(ANSIStripper.strip, "\u{1B}[31m\u{1B}[1mWARNING\u{1B}[0m") == ("WARNING", true))
    }
}

@Suite struct JSONStringUnescaperTests {
    @Test func aTracebackInAStringBecomesLines() {
        let line = #"{"level":"error","exc_info":"Traceback (most recent call last):\n  File \"/srv/app/x.py\", line 3, in f\nKeyError: 'x'"}"#
        let (text, changed) = decode(JSONStringUnescaper.unescape, line)
        #expect(changed)
        #expect(text == "{\"level\":\"error\",\"exc_info\":\"Traceback (most recent call last):\n  File \"/srv/app/x.py\", line 3, in f\nKeyError: 'x'\"}")
    }

    @Test func unicodeEscapesAndSurrogates() {
        #expect(decode(JSONStringUnescaper.unescape, #"{"m":"caf\u00e9 \ud83d\ude00 \ud800 \/ \t\r"}"#).0 == "{\"m\":\"café 😀 \u{FFFD} / \t\"}")
    }

    @Test func onlyJSONLinesAndOnlyInsideStrings() {
        #expect(decode(JSONStringUnescaper.unescape, #"C:\new\table"#) == (#"C:\new\table"#, false))
        #expect(decode(JSONStringUnescaper.unescape, #"{"a":1}"#) == (#"{"a":1}"#, false))
        #expect(decode(JSONStringUnescaper.unescape, #"  ["x\"y", "bad \q escape"]"#).0 == #"  ["x"y", "bad \q escape"]"#)
    }
}

@Suite struct HTMLEntityDecoderTests {
    @Test func decodesEntitiesDebugPagesUse() {
        let line = "File &quot;/srv/app/x.py&quot;, &#34;a&#34; &#39;b&#39; &#x27;c&#x27; java.base&#47;java.lang &amp;&lt;&gt;&nbsp;&apos;"
        #expect(decode(HTMLEntityDecoder.decode, line) == ("File \"/srv/app/x.py\", \"a\" 'b' 'c' java.base/java.lang &<> '", true))
    }

    @Test func breaksBecomeLines() {
        #expect(decode(HTMLEntityDecoder.decode, "Error: boom<br> &nbsp; &nbsp;at f (/srv/a.js:1:2)<BR/>x<br />y").0
                == "Error: boom\n    at f (/srv/a.js:1:2)\nx\ny")
    }

    @Test func keepsUnknownAndMalformed() {
        for text in ["a & b", "&unknown;", "&#;", "&#xZZ;", "&quot", "<b>bold</b>", "<brand>"] {
            #expect(decode(HTMLEntityDecoder.decode, text) == (text, false))
        }
        #expect(decode(HTMLEntityDecoder.decode, "&#0;&#99999999;").0 == "\u{FFFD}\u{FFFD}")
    }
}

@Suite struct PercentDecoderTests {
    @Test func decodesPrintableButNotStructure() {
        #expect(decode(PercentDecoder.decode, "GET /?%5F%5Fdebugger%5f%5F=yes&cmd=print%28os.getcwd%28%29%29 HTTP/1.1")
                == ("GET /?__debugger__=yes&cmd=print(os.getcwd()) HTTP/1.1", true))
        let kept = "a%20b%25c%26d%2Be%3Df%23g%0A%7F%C3%A9%zz%4"
        #expect(decode(PercentDecoder.decode, kept) == (kept, false))
    }
}

@Suite struct ContainerLogUnwrapperTests {
    /// Unwraps each line in turn; returns what came out, with the line each started at.
    private func unwrap(_ lines: [String], maxBytes: Int = 1 << 20) -> [String] {
        var unwrapper = ContainerLogUnwrapper(maxBytes: maxBytes)
        var results: [String] = []
        for (index, text) in lines.enumerated() {
            var output: [UInt8] = []
            let outcome = Array(text.utf8).withUnsafeBytes {
                unwrapper.unwrap(Line(bytes: $0, number: index + 1, byteOffset: index * 100, piece: nil), into: &output)
            }
            switch outcome {
            case .notWrapped: results.append("\(index + 1): not wrapped")
            case .held: results.append("\(index + 1): held")
            case .unwrapped(let number, _): results.append("\(number): " + String(decoding: output, as: UTF8.self))
            }
        }
        var rest: [UInt8] = []
        if let start = unwrapper.flush(into: &rest) { results.append("\(start.number): " + String(decoding: rest, as: UTF8.self) + " (flushed)") }
        return results
    }

    @Test func dockerJSONFileWithPartialLines() {
        #expect(unwrap([
            #"{"log":" * Debugger PIN: 123-456-789\n","stream":"stderr","time":"2026-12-03T17:26:17.1Z"}"#,
            #"{"log":"Traceback (most recent ","stream":"stderr","time":"2026-12-03T17:26:17.2Z"}"#,
            #"{"log":"call last):\n","stream":"stderr","time":"2026-12-03T17:26:17.3Z"}"#,
            "plain line",
            #"{"log": "spaced\n", "stream": "stdout"}"#,
        ]) == ["1:  * Debugger PIN: 123-456-789", "2: held", "2: Traceback (most recent call last):", "4: not wrapped", "5: spaced"])
    }

    @Test func kubernetesCRIWithPartialLines() {
        #expect(unwrap([
            "2026-12-03T17:26:17.669794202Z stdout F  * Debug mode: on",
            "2026-12-03T17:26:18.1Z stderr P Traceback (most ",
            "2026-12-03T17:26:18.2Z stderr F recent call last):",
            "2026-12-03T17:26:19.0Z stderr P cut off at the end",
            "2024-12-03 00:00:04,217 INFO stdout F looks close but is not CRI",
        ]) == ["1:  * Debug mode: on", "2: held", "2: Traceback (most recent call last):", "4: held",
               "5: not wrapped", "4: cut off at the end (flushed)"])
    }

    @Test func joiningStopsAtTheCap() {
        let part = "2026-12-03T17:26:18.1Z stderr P " + String(repeating: "x", count: 10)
        #expect(unwrap([part, part, part], maxBytes: 15) == ["1: held", "1: " + String(repeating: "x", count: 20), "3: held",
                                                            "3: " + String(repeating: "x", count: 10) + " (flushed)"])
    }
}

@Suite struct LineNormalizerTests {
    private func normalize(_ lines: [String]) -> [String] {
        var normalizer = LineNormalizer(maxLineBytes: 1 << 20)
        var results: [String] = []
        for (index, text) in lines.enumerated() {
            let changed = Array(text.utf8).withUnsafeBytes {
                normalizer.normalize(Line(bytes: $0, number: index + 1, byteOffset: 0, piece: nil)) { line in
                    results.append("\(line.number): " + String(decoding: line.bytes, as: UTF8.self))
                }
            }
            if !changed { results.append("\(index + 1): unchanged") }
        }
        return results
    }

    @Test func stepsComposeAndKeepTheLineNumber() {
        #expect(normalize([
            "plain",
            #"{"log":"\u001b[31m{\"exc\":\"Traceback (most recent call last):\\n  File \\\"/srv/x.py\\\"\"}\u001b[0m\n","stream":"stderr"}"#,
            "&lt;p&gt;%5F%5Fdebugger%5F%5F",
        ]) == ["1: unchanged", #"2: {"exc":"Traceback (most recent call last):"#, #"2:   File "/srv/x.py""}"#, "3: <p>__debugger__"])
    }

    @Test func triggersCoverEveryDecoder() {
        let triggers = LineNormalizer.triggers
        for needed in [#"{"log":""#, #"{"log": ""#, " stdout f ", " stderr p ", "\\", "\u{1B}[", "&quot;", "&#", "<br", "%5f", "%28"] {
            #expect(triggers.contains(needed), "missing trigger \(needed)")
        }
        #expect(!triggers.contains("%20") && !triggers.contains("%26"))
    }
}

@Suite struct LinePrefixTests {
    private func key(_ text: String) -> String {
        String(decoding: Array(text.utf8).withUnsafeBytes { LinePrefix.key($0) }.map { $0 == 1 ? UInt8(ascii: "T") : $0 }, as: UTF8.self)
    }

    private func length(_ prefix: String, _ line: String) -> Int? {
        let key = Array(prefix.utf8).withUnsafeBytes { LinePrefix.key($0) }
        return Array(line.utf8).withUnsafeBytes { LinePrefix.length(of: key, in: $0) }
    }

    @Test func timestampsAreMaskedButIdsKept() {
        #expect(key("2024-12-03 00:00:04,217 [Thread-3] ERROR ") == "T [Thread-3] ERROR ")
        #expect(key("Dec  3 12:00:01 web1 app[812]: ") == "Dec  T web1 app[812]: ")
        #expect(key("2024-12-03T00:00:04.217Z stderr F ") == "T stderr F ")
        #expect(key("[1733184000.123] ") == "[T] ")
        #expect(key("pid 1234 port 8080 ") == "pid 1234 port 8080 ")
        let loose = Array("app[812] Thread-3: ".utf8).withUnsafeBytes { LinePrefix.key($0, loose: true) }
        #expect(Array("app[900] Thread-12: x".utf8).withUnsafeBytes { LinePrefix.length(of: loose, in: $0, loose: true) } == 20)
    }

    @Test func lengthFindsTheSamePrefixWithAnotherTime() {
        #expect(length("2024-12-03 00:00:04,217 [Thread-3] ", "2024-12-03 00:00:05,001 [Thread-3]   File \"x\"") == 35)
        #expect(length("2024-12-03 00:00:04,217 [Thread-3] ", "2024-12-03 00:00:05,001 [Thread-4]   File \"x\"") == nil)
        #expect(length("x: ", "x") == nil)
        #expect(length("", "anything") == 0)
    }
}
