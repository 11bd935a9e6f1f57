import Testing
@testable import LeakWatchCore

/// Stack traces gathered into one finding each, through the detector as a scan runs it.
@Suite struct EventAssemblerTests {
    let pythonEvent = """
        event py
          title         Python traceback
          severity      low body=high
          category      traceback
          keywords      traceback
          start         Traceback \\(most recent call last\\):
          continue      ^(?:[ \\t]+\\S|[ \\t]*$|During handling of the above exception|The above exception was the direct cause|Traceback \\(most recent call last\\)|(?<type>[A-Za-z_][\\w.]*)(?::\\s|:?$))
          frame         File "(?<file>[^"]+)", line \\d+
          library       site-packages|/lib/python
          max-lines     14
          example       Traceback (most recent call last):
          |               File "/srv/app/x.py", line 1, in f
          |             KeyError: 'x'
          not           Traceback (most recent call last):
        """

    func events(_ text: String, context: RuleContext = .log) throws -> [String] {
        try findings(in: text, rules: ruleSet(pythonEvent), context: context).map { finding in
            let event = finding.event
            return "\(finding.line)-\(event?.endLine ?? 0) \(event?.lineCount ?? 0) \(event?.exceptionType ?? "-") "
                + "\(event?.frameFile ?? "-") \(finding.severity.rawValue)\(event?.isCut == true ? " cut" : "")"
        }
    }

    @Test func chainedExceptionsAndCaretsAreOneTraceNamingTheLastTypeAndFirstAppFrame() throws {
        let text = """
            2024-12-03 00:00:04,217 ERROR [app] Exception on /orders [POST]
            Traceback (most recent call last):
              File "/usr/lib/python3.11/site-packages/flask/app.py", line 917, in full_dispatch_request
              File "/srv/shop/views.py", line 12, in create
                total = order["customer_id"]
                        ~~~~~^^^^^^^^^^^^^^^
            KeyError: 'customer_id'

            During handling of the above exception, another exception occurred:

            Traceback (most recent call last):
              File "/srv/shop/errors.py", line 3, in handle
            ValueError: bad order

            2024-12-03 00:00:05,001 INFO [app] next request
            """
        #expect(try events(text) == ["2-13 12 ValueError /srv/shop/views.py low"])
    }

    @Test func interleavedStreamsStayApartAndEveryLinePrefixIsCut() throws {
        let text = """
            Dec  3 12:00:01 web1 app[812]: Traceback (most recent call last):
            Dec  3 12:00:01 web1 app[900]: Traceback (most recent call last):
            Dec  3 12:00:01 web1 app[812]:   File "/srv/app/views.py", line 12, in index
            Dec  3 12:00:02 web1 app[900]:   File "/srv/app/jobs.py", line 4, in run
            Dec  3 12:00:02 web1 app[812]: KeyError: 'x'
            Dec  3 12:00:02 web1 app[900]: ValueError: bad
            Dec  3 12:00:03 web1 app[812]: GET / 200
            Dec  3 12:00:03 web1 app[900]: GET / 200
            """
        #expect(try events(text) == ["1-5 3 KeyError /srv/app/views.py low", "2-6 3 ValueError /srv/app/jobs.py low"])
    }

    @Test func aPrefixedStartFollowedByForeignLinesIsNoEvent() throws {
        #expect(try events("note Traceback (most recent call last):\nsome other line\n  File \"/srv/app/x.py\", line 1, in f\nKeyError: 1\n").isEmpty)
        #expect(try events("[T-1] Traceback (most recent call last):\n[T-2] other\n[T-1]   File \"/srv/x.py\", line 1, in f\n[T-1] KeyError: 1\n")
                == ["1-4 3 KeyError /srv/x.py low"])
    }

    @Test func aTracebackInsideAJSONStringIsMatchedAsLines() throws {
        let text = #"""
            {"ts":"2024-12-03T00:00:04.217Z","level":"error","exc_info":"Traceback (most recent call last):\n  File \"/srv/app/x.py\", line 3, in f\nKeyError: 'x'"}
            {"ts":"2024-12-03T00:00:05.000Z","level":"info","msg":"ok"}
            """#
        #expect(try events(text) == ["1-1 3 KeyError /srv/app/x.py low"])
    }

    @Test func contextSetsSeverityAndTheEndOfInputClosesTheEvent() throws {
        let text = "Traceback (most recent call last):\n  File \"/srv/a.py\", line 1, in f\nKeyError: 'x'"
        #expect(try events(text, context: .body) == ["1-3 3 KeyError /srv/a.py high"])
        let response = "HTTP/1.1 500 INTERNAL SERVER ERROR\nContent-Type: text/plain\n\n" + text + "\n"
        _ = response
    }

    @Test func tooShortIsNothingAndTooLongIsCut() throws {
        #expect(try events("Traceback (most recent call last):\nnot a frame\n").isEmpty)
        let frames = (1...20).map { "  File \"/srv/a.py\", line \($0), in f" }.joined(separator: "\n")
        #expect(try events("Traceback (most recent call last):\n" + frames + "\n") == ["1-14 14 - /srv/a.py low cut"])
    }

    @Test func fingerprintIgnoresLineNumbersAndTimestamps() throws {
        let first = "2024-12-03 00:00:04 a\nTraceback (most recent call last):\n  File \"/srv/a.py\", line 10, in f\nKeyError: 'x'\n"
        let later = "x\ny\nz\nTraceback (most recent call last):\n  File \"/srv/a.py\", line 12, in f\nKeyError: 'x'\n"
        let other = "Traceback (most recent call last):\n  File \"/srv/b.py\", line 10, in f\nKeyError: 'x'\n"
        let rules = try ruleSet(pythonEvent)
        let prints = [first, later, other].map { findings(in: $0, rules: rules).map(\.fingerprint) }
        #expect(prints[0].count == 1 && prints[0] == prints[1] && prints[0] != prints[2])
    }

    @Test func eventsSpanChunksAndLinesWithoutKeywords() throws {
        let filler = (1...3000).map { "2024-12-03 INFO line \($0)" }.joined(separator: "\n")
        let trace = "Traceback (most recent call last):\n" + (1...5).map { "  File \"/srv/a.py\", line \($0), in f" }.joined(separator: "\n") + "\nKeyError: 'k'\n"
        let text = filler + "\n" + trace + filler + "\n" + trace
        let reader = LineReader(source: BytesSource(Array(text.utf8)), bufferSize: 4096)
        let detector = Detector(rules: try ruleSet(pythonEvent))
        var found: [String] = []
        while let chunk = try reader.nextChunk() {
            detector.scan(chunk, source: SourceInfo(name: "x"), context: .log) { found.append("\($0.line) \($0.event?.lineCount ?? 0)") }
        }
        detector.finishInput { found.append("\($0.line) \($0.event?.lineCount ?? 0)") }
        #expect(found == ["3001 7", "6008 7"])
    }
}
