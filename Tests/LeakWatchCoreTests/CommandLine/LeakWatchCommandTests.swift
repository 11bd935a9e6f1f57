import Foundation
import Glibc
import Testing
@testable import LeakWatchCore

/// The whole program, run in this process on the real samples, pipes and files, and as
/// the built `leakwatch` binary.
@Suite struct LeakWatchCommandTests {
    let samples = repositoryRoot + "/samples"

    @Test func scanningTheSamplesFindsTheDebuggerPageThePINAndTheProbe() throws {
        let result = try runLeakWatch(["scan", samples])
        #expect(result.status == 1)
        let page = try lineNumber(of: "The debugger caught an exception", in: "samples/flask-debug-on/error-page.http")
        let pin = try lineNumber(of: " * Debugger PIN: ", in: "samples/flask-debug-on/devserver.log")
        let probe = try lineNumber(of: "cmd=resource&f=debugger.js HTTP", in: "samples/flask-debug-on/devserver.log")
        #expect(result.stdout.contains("\(samples)/flask-debug-on/error-page.http:\(page):3: high werkzeug-debugger-page:"))
        #expect(result.stdout.contains("\(samples)/flask-debug-on/devserver.log:\(pin):2: critical werkzeug-debugger-pin-logged:"))
        #expect(result.stdout.contains("\(samples)/flask-debug-on/devserver.log:\(probe):"))
        #expect(result.stdout.contains("medium werkzeug-debugger-request:"))
        #expect(result.stdout.contains("critical werkzeug-console-page:"))
        #expect(result.stderr.isEmpty)
        // The PIN and SECRET are in the samples, never in the output.
        let pinValue = try #require(try String(contentsOfFile: "\(samples)/flask-debug-on/devserver.log", encoding: .utf8)
            .split(separator: "\n").first { $0.contains("Debugger PIN: ") }?.split(separator: " ").last)
        #expect(!result.stdout.contains(pinValue))
        #expect(result.stdout.contains("Debugger PIN: [REDACTED]"))
    }

    @Test func aCleanLineOnStandardInputExitsZero() throws {
        let input = try pipeFeeding(Array("GET /health HTTP/1.1 200\n".utf8))
        defer { close(input) }
        let result = try runLeakWatch(["scan", "-"], stdinDescriptor: input)
        #expect(result.status == 0)
        #expect(result.stdout == "no findings in 1 input; 1 line, 25 B in " + result.stdout.split(separator: " ").suffix(2).joined(separator: " "))
    }

    @Test func noPathMeansStandardInput() throws {
        let input = try pipeFeeding(Array(" * Debugger is active!\n".utf8))
        defer { close(input) }
        let result = try runLeakWatch(["scan", "--format", "jsonl"], stdinDescriptor: input)
        #expect(result.status == 1)
        #expect(result.stdout.contains(#""path":"<stdin>""#))
    }

    @Test func standardInputThatIsATerminalIsAUsageError() throws {
        let (primary, secondary) = try openPseudoTerminal()
        defer { close(primary); close(secondary) }
        let result = try runLeakWatch(["scan"], stdinDescriptor: secondary)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: No input: standard input is a terminal."))
    }

    @Test func aMissingPathIsReportedAndTheRestIsStillScanned() throws {
        let result = try runLeakWatch(["scan", "missing.log", samples])
        #expect(result.status == 2)
        #expect(result.stderr == "leakwatch: missing.log: error: no such file or directory\n")
        #expect(result.stdout.contains("werkzeug-debugger-pin-logged"))
        #expect(result.stdout.contains("; 1 error (see stderr)"))
    }

    @Test func failOnDecidesWhichFindingsFail() throws {
        let log = "\(samples)/flask-debug-off/devserver.log"  // a medium and a low finding
        #expect(try runLeakWatch(["scan", log]).status == 1)
        #expect(try runLeakWatch(["scan", "--fail-on", "high", log]).status == 0)
        #expect(try runLeakWatch(["scan", "--fail-on", "none", "\(samples)/flask-debug-on"]).status == 0)
        #expect(try runLeakWatch(["scan", "\(samples)/flask-debug-off/error-page.http"]).status == 0)
    }

    @Test func categoryLimitsTheRules() throws {
        let result = try runLeakWatch(["scan", "-c", "debugger-probe", "--format", "jsonl", samples])
        let records = try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(JSONLinesRecord.self, from: Data($0.utf8)) }
        let categories = records.compactMap { record -> Category? in
            if case .finding(let finding) = record { return finding.category }
            return nil
        }
        #expect(!categories.isEmpty && categories.allSatisfy { $0 == .debuggerProbe })
    }

    @Test func aPatternFileAloneRunsLikeGrepDashF() throws {
        let directory = try TemporaryDirectory()
        let patterns = try directory.write("leaks.txt", "Debugger PIN: [0-9-]+\n__debugger__=yes\n")
        let log = "\(samples)/flask-debug-on/devserver.log"
        let result = try runLeakWatch(["scan", "--no-builtin", "--pattern-file", patterns, log])
        #expect(result.status == 1)
        let ids = Set(result.stdout.split(separator: "\n").compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix(patterns + ":") }
        })
        #expect(ids == ["\(patterns):1:", "\(patterns):2:"])
        let nothing = try runLeakWatch(["scan", "--no-builtin", log])
        #expect(nothing.status == 2 && nothing.stderr == "leakwatch: error: no rules to run: --no-builtin needs --rules or --pattern-file\n")
        let bad = try runLeakWatch(["scan", "--pattern-file", try directory.write("bad.txt", "ok\n(\n"), log])
        #expect(bad.status == 2 && bad.stderr.hasPrefix("\(directory.file("bad.txt")):2:2: error: "))
    }

    @Test func gzipFilesAreScannedWithLinesOfTheDecompressedText() throws {
        let directory = try TemporaryDirectory()
        let copy = try directory.write("devserver.log.1", Array(try Data(contentsOf: URL(fileURLWithPath: "\(samples)/flask-debug-on/devserver.log"))))
        #expect(try run("/bin/gzip", ["-n", copy]).status == 0)
        let plain = try runLeakWatch(["scan", "\(samples)/flask-debug-on/devserver.log"])
        let compressed = try runLeakWatch(["scan", copy + ".gz"])
        #expect(compressed.status == 1)
        let strip = { (text: String) in text.split(separator: "\n").filter { $0.contains(": ") && !$0.hasPrefix(" ") }.map { $0.split(separator: ":", maxSplits: 1)[1] } }
        #expect(strip(plain.stdout) == strip(compressed.stdout))
    }

    @Test func aTruncatedGzipFileKeepsItsFindingsAndExitsTwo() throws {
        let directory = try TemporaryDirectory()
        let copy = try directory.write("app.log", String(repeating: "filler line of the app\n", count: 3000) + " * Debugger is active!\n" + String(repeating: "more\n", count: 3000))
        #expect(try run("/bin/gzip", ["-n", copy]).status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: copy + ".gz"))
        let cut = try directory.write("cut.log.gz", Array(bytes.prefix(bytes.count - 12)))
        let result = try runLeakWatch(["scan", cut])
        #expect(result.status == 2)
        #expect(result.stdout.contains("\(cut):3001:2: critical werkzeug-debugger-active"))
        #expect(result.stderr.contains("\(cut):"))
        #expect(result.stderr.contains("error: gzip data ends early: the file is truncated; the data before it was scanned"))
    }

    @Test func rulesTestPassesOnTheBuiltinRules() throws {
        let result = try runLeakWatch(["rules", "test"])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("all pass\n"))
        #expect(result.stdout.hasPrefix("\(builtinRules.rules.count) built-in rules, "))
    }

    @Test func aRuleFileWithThreeMistakesReportsAllThree() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.rules", """
            rule broken
              title     Broken
              severity  hgih
              category  secret
              regx      x
              regex     (unclosed
              example   x
              not       y
            """)
        for command in [["rules", "test", path], ["scan", "--rules", path, samples]] {
            let result = try runLeakWatch(command)
            #expect(result.status == 2)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.map { $0.split(separator: ":").prefix(3).dropFirst().joined(separator: ":") } == ["3:13", "5:3", "6:22"])
            #expect(lines.allSatisfy { $0.hasPrefix(path + ":") && $0.contains(": error: ") })
        }
    }

    @Test func aFailingExampleFailsRulesTest() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("weak.rules", """
            rule weak
              title     Weak
              severity  low
              category  secret
              keywords  token
              regex     token=\\w+
              example   token=abc
              not       token=xyz
            """)
        let result = try runLeakWatch(["rules", "test", path])
        #expect(result.status == 1)
        #expect(result.stderr == "\(path):8:13: error: rule 'weak': look-alike matches, but must not\n")
    }

    @Test func rulesListShowsEveryRule() throws {
        let result = try runLeakWatch(["rules", "list"])
        #expect(result.status == 0)
        for rule in builtinRules.rules { #expect(result.stdout.contains(rule.id + " ")) }
        #expect(result.stdout.hasSuffix("\(builtinRules.rules.count) rules\n"))
        let python = result.stdout.split(separator: "\n").first { $0.hasPrefix("python-traceback ") } ?? ""
        #expect(python.contains(" low body=high ") && python.hasSuffix(" traceback             Python traceback"))
        #expect(result.stdout.contains("multi-line event (up to 400 lines); keywords: traceback; in: log header body; patterns/tracebacks.rules:"))
    }

    @Test func versionHelpAndUsageErrors() throws {
        let version = try runLeakWatch(["--version"])
        #expect(version.status == 0 && version.stdout.contains("PCRE2 10.") && version.stdout.contains("JIT"))
        for command in [["--help"], ["scan", "--help"], ["tail", "--help"], ["rules", "list", "-h"], ["rules", "test", "--help"]] {
            let help = try runLeakWatch(command)
            #expect(help.status == 0 && help.stdout.contains("USAGE:") && help.stdout.contains("EXIT STATUS:"), "\(command)")
        }
        let wrong = try runLeakWatch(["scan", "--fromat", "jsonl"])
        #expect(wrong.status == 64)
        #expect(wrong.stderr == "Error: Unknown option '--fromat'. Did you mean '--format'?\nUsage: leakwatch scan [<options>] [<path> ...]\n  See 'leakwatch scan --help' for more information.\n")
        #expect(try runLeakWatch([]).status == 64)
        let tail = try runLeakWatch(["tail"])
        #expect(tail.status == 64 && tail.stderr.hasPrefix("Error: Missing expected argument '<path-or-glob>'."))
        #expect(try runLeakWatch(["tail", "--fold-window", "-1", "x.log"]).status == 64)
        #expect(try runLeakWatch(["scna"]).stderr.hasPrefix("Error: Unknown command 'scna'. Did you mean 'scan'?"))
        #expect(try runLeakWatch(["rules", "lst"]).status == 64)
    }

    @Test func aClosedPipeEndsTheScanQuietly() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        close(ends[0])  // nobody reads
        defer { close(ends[1]) }
        let directory = try TemporaryDirectory()
        let errPath = directory.file("stderr")
        let err = open(errPath, O_RDWR | O_CREAT, 0o600)
        defer { close(err) }
        let io = LeakWatchCommand.IO(standardOutput: OutputStream(descriptor: ends[1]), standardError: OutputStream(descriptor: err))
        signal(SIGPIPE, SIG_IGN)
        #expect(LeakWatchCommand.main(["scan", samples], io: io) == 1)
        #expect(try String(contentsOfFile: errPath, encoding: .utf8).isEmpty)
    }

    @Test func theBuiltBinaryReadsAPipeAndSurvivesAnEarlyClose() throws {
        try #require(FileManager.default.isExecutableFile(atPath: leakwatchBinary), "no binary at \(leakwatchBinary)")
        let debugLog = try Data(contentsOf: URL(fileURLWithPath: "\(samples)/flask-debug-on/devserver.log"))
        let piped = try run(leakwatchBinary, ["scan", "-"], input: Array(debugLog))
        #expect(piped.status == 1)
        #expect(piped.stdout.contains("<stdin>:"))
        // `leakwatch scan samples | head -1`, done by the shell with a real pipe.
        let early = try run("/bin/sh", ["-c", "'\(leakwatchBinary)' scan '\(samples)' | head -n 1; echo \"status ${PIPESTATUS:-}\""])
        #expect(early.stdout.split(separator: "\n").count == 2)
        #expect(early.stderr.isEmpty)
        let status = try run("/bin/bash", ["-c", "'\(leakwatchBinary)' scan '\(samples)' | head -n 1 > /dev/null; echo ${PIPESTATUS[0]}"])
        #expect(status.stdout == "1\n")
    }
}
