import Foundation
import Glibc
import Testing
@testable import LeakWatchCore

/// `leakwatch sweep` on real files, with real logrotate between sweeps.
@Suite struct SweeperTests {
    /// An access-log line; with `leak`, a request for the debugger's resources numbered `n`.
    func line(_ n: Int, leak: Bool) -> String {
        leak ? "10.0.0.7 - - [03/Dec/2026:10:00:00 +0000] \"GET /?__debugger__=yes&cmd=resource&f=style.css&n=\(n) HTTP/1.1\" 200 6078\n"
             : "10.0.0.8 - - [03/Dec/2026:10:00:00 +0000] \"GET /api/orders/\(n) HTTP/1.1\" 200 512\n"
    }

    /// Appends lines `range` to `path`, every 10th a leak.
    func appendLines(_ range: ClosedRange<Int>, to path: String) {
        append(range.map { line($0, leak: $0 % 10 == 0) }.joined(), to: path)
    }

    /// The leak numbers a sweep reports, in order.
    func sweep(_ arguments: [String]) throws -> (status: Int32, leaks: [Int], stderr: String) {
        let result = try runLeakWatch(["sweep", "-f", "jsonl"] + arguments)
        var leaks: [Int] = []
        for record in result.stdout.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any],
                  object["type"] as? String == "finding", let data = object["data"] as? [String: Any],
                  let excerpt = data["excerpt"] as? String, let range = excerpt.range(of: "&n=") else { continue }
            leaks.append(Int(excerpt[range.upperBound...].prefix { $0.isNumber }) ?? -1)
        }
        return (result.status, leaks, result.stderr)
    }

    @Test func aSecondSweepAfterLogrotateReportsExactlyTheNewLeaks() throws {
        let directory = try TemporaryDirectory()
        let logs = directory.file("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let state = directory.file("state.json")
        appendLines(1...100, to: logs + "/app.log")
        let first = try sweep(["--state", state, logs])
        #expect(first.status == 1 && first.leaks == Array(stride(from: 10, through: 100, by: 10)))
        #expect(try sweep(["--state", state, logs]).leaks.isEmpty)

        appendLines(101...150, to: logs + "/app.log")  // these go into the rotated, compressed copy
        let config = directory.file("logrotate.conf")
        try "\(logs)/app.log {\n    compress\n    dateext\n    create\n    rotate 5\n}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let rotate = try run("/usr/sbin/logrotate", ["-f", "-s", directory.file("logrotate.state"), config])
        #expect(rotate.status == 0, "\(rotate.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: logs).sorted()
        #expect(names.count == 2 && names.contains { $0.hasPrefix("app.log-") && $0.hasSuffix(".gz") })
        appendLines(151...180, to: logs + "/app.log")

        let second = try sweep(["--state", state, logs])
        #expect(second.status == 1 && second.leaks.sorted() == Array(stride(from: 110, through: 180, by: 10)), "\(second)")
        #expect(try sweep(["--state", state, logs]).leaks.isEmpty)
    }

    @Test func outputIsInPathOrderWhateverTheThreads() throws {
        let directory = try TemporaryDirectory()
        for file in 0..<6 { appendLines((file * 1000 + 1)...(file * 1000 + 2000), to: directory.file("f\(file).log")) }
        let one = try sweep(["--state", directory.file("one.json"), "-j", "1", directory.path])
        let four = try sweep(["--state", directory.file("four.json"), "-j", "4", directory.path])
        #expect(one.leaks.count == 6 * 200 && one.leaks == four.leaks)
    }

    @Test func aFIFOIsSkippedAndSaidOnceAndTheSummaryCountsByRuleAndFile() throws {
        let directory = try TemporaryDirectory()
        appendLines(1...20, to: directory.file("app.log"))
        #expect(mkfifo(directory.file("pipe"), 0o600) == 0)
        let text = try runLeakWatch(["sweep", "--state", directory.file("state.json"), directory.path])
        #expect(text.status == 1 && text.stderr.isEmpty)
        #expect(text.stdout.contains("swept 1 file with new content"))
        #expect(text.stdout.contains("findings by rule:\n  2      probe-debugger-resource\n"))
        #expect(text.stdout.contains("skipped:\n  \(directory.file("pipe")): a FIFO\n"))
        let jsonl = try runLeakWatch(["sweep", "-f", "jsonl", "--state", directory.file("again.json"), directory.path])
        #expect(jsonl.stderr == "leakwatch: \(directory.file("pipe")): skipped: a FIFO\n")
    }

    @Test func linksOutOfTheTreeOnlyWithFollow() throws {
        let directory = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        appendLines(1...10, to: outside.file("elsewhere.log"))
        appendLines(11...20, to: directory.file("inside.log"))
        #expect(symlink(outside.file("elsewhere.log"), directory.file("link.log")) == 0)
        #expect(symlink(directory.file("inside.log"), directory.file("alias.log")) == 0)
        let plain = try sweep(["--state", directory.file("a.json"), directory.path])
        #expect(plain.leaks == [20] && plain.stderr.contains("link.log: skipped: a link out of the swept tree"))
        #expect(plain.stderr.contains("inside.log: skipped: the same file as \(directory.file("alias.log"))"))
        let followed = try sweep(["--state", directory.file("b.json"), "--follow", directory.path])
        #expect(followed.leaks == [20, 10] && !followed.stderr.contains("link.log"))
    }

    @Test func aGrowingFileIsReadOnFromWhereTheLastSweepStopped() throws {
        let directory = try TemporaryDirectory()
        let state = directory.file("state.json")
        func sweepLeaks() throws -> [Int] { try sweep(["--state", state, "--include", "*.log", directory.path]).leaks }
        // Shorter than the fingerprint's 256 bytes at first, then longer.
        appendLines(10...10, to: directory.file("app.log"))
        #expect(try sweepLeaks() == [10])
        appendLines(11...30, to: directory.file("app.log"))
        #expect(try sweepLeaks() == [20, 30])
        appendLines(31...45, to: directory.file("app.log"))
        #expect(try sweepLeaks() == [40])
        // Truncated and rewritten with other content: read whole again.
        try "".write(toFile: directory.file("app.log"), atomically: false, encoding: .utf8)
        appendLines(100...110, to: directory.file("app.log"))
        #expect(try sweepLeaks() == [100, 110])
    }

    @Test func aSweepAfterATailOutagePicksUpExactlyTheGap() throws {
        let directory = try TemporaryDirectory()
        let logs = directory.file("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let state = directory.file("state.json")
        appendLines(1...20, to: logs + "/app.log")
        let tail = try TailProcess(["--from-start", "--fold-window", "0", "--state", state, logs + "/app.log"], in: directory)
        #expect(tail.wait { tail.findings().count == 2 })
        #expect(tail.stop() == 0)
        appendLines(21...40, to: logs + "/app.log")  // written while tail was down
        #expect(try sweep(["--state", state, logs]).leaks == [30, 40])
    }

    @Test func aDamagedStateIsAnErrorNotAFreshStart() throws {
        let directory = try TemporaryDirectory()
        let state = directory.file("state.json")
        try "garbage".write(toFile: state, atomically: true, encoding: .utf8)
        let result = try runLeakWatch(["sweep", "--state", state, directory.path])
        #expect(result.status == 2 && result.stderr.contains("is not a LeakWatch state file"))
        #expect(try runLeakWatch(["sweep", directory.path]).status == 64)
    }
}
