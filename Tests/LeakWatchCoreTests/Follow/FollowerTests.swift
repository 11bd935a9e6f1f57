import Foundation
import Glibc
import Testing
@testable import LeakWatchCore

/// The built `leakwatch tail`, run as a process on real files in a temporary directory,
/// stopped by signals as systemd would.
final class TailProcess {
    let process = Process()
    let outputPath: String
    let errorPath: String

    init(_ arguments: [String], in directory: TemporaryDirectory, output: String = "alerts.jsonl") throws {
        outputPath = directory.file(output)
        errorPath = directory.file("tail.err")
        process.executableURL = URL(fileURLWithPath: leakwatchBinary)
        process.arguments = ["tail", "--output", outputPath, "--idle-timeout", "0.3"] + arguments
        FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try process.run()
    }

    /// The records written so far: type and data.
    func records(in path: String? = nil) -> [(type: String, data: [String: Any])] {
        guard let text = try? String(contentsOfFile: path ?? outputPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let type = record["type"] as? String, let data = record["data"] as? [String: Any] else { return nil }
            return (type, data)
        }
    }

    /// The rule ids of the findings written so far, in order.
    func findings(in path: String? = nil) -> [String] {
        records(in: path).filter { $0.type == "finding" }.compactMap { $0.data["rule_id"] as? String }
    }

    /// Waits up to `seconds` for `condition` on the records; returns whether it held.
    @discardableResult
    func wait(seconds: Double = 8, for condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// Sends SIGTERM and returns the exit status.
    func stop() -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }
}

/// Appends `text` to the file at `path` (creating it), as a writer holding it open would.
func append(_ text: String, to path: String) {
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    _ = Array(text.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}

@Suite(.serialized) struct FollowerTests {
    let pin = " * Debugger PIN: 123-456-789\n"
    let active = " * Debugger is active!\n"

    @Test func linesAlertAsTheyComeAndALastLineAndATracebackAfterAnIdlePause() throws {
        let directory = try TemporaryDirectory()
        let log = directory.file("app.log")
        append("old history\n" + pin, to: log)
        let tail = try TailProcess([log], in: directory)
        usleep(400_000)
        append(active, to: log)
        #expect(tail.wait { tail.findings() == ["werkzeug-debugger-active"] })  // from the end: history skipped
        append("Traceback (most recent call last):\n  File \"/srv/a.py\", line 1, in f\nKeyError: 'x'\n"
               + "10.0.0.9 - - [03/Dec/2026:10:00:00 +0000] \"GET /console HTTP/1.1\" 200 1985", to: log)
        #expect(tail.wait { tail.findings() == ["werkzeug-debugger-active", "python-traceback", "werkzeug-console-request"] })
        usleep(700_000)  // nothing read twice after the idle flush
        #expect(tail.findings().count == 3 && !tail.records().contains { $0.type == "notice" })
        let trace = tail.records().first { $0.data["rule_id"] as? String == "python-traceback" }?.data
        #expect(trace?["line"] as? Int == 4)
        #expect(tail.stop() == 0)
    }

    @Test func renameDeleteAndSymlinkSwapAreRotations() throws {
        let directory = try TemporaryDirectory()
        let log = directory.file("app.log")
        append("start\n", to: log)
        let tail = try TailProcess(["--from-start", log], in: directory)
        usleep(400_000)
        // Rename and create: a late line in the old file is still read.
        rename(log, log + ".1")
        append(pin, to: log)
        append(active, to: log + ".1")
        #expect(tail.wait { Set(tail.findings()) == ["werkzeug-debugger-pin-logged", "werkzeug-debugger-active"] })
        // Delete and recreate.
        unlink(log)
        append("Traceback (most recent call last):\n  File \"/srv/b.py\", line 2, in g\nValueError: y\n", to: log)
        #expect(tail.wait { tail.findings().count == 3 })
        // A symlink swapped to a new target.
        let linked = directory.file("current.log")
        append("first target\n", to: directory.file("a.log"))
        symlink(directory.file("a.log"), linked)
        let viaLink = try TailProcess(["--from-start", linked], in: directory, output: "link.jsonl")
        usleep(400_000)
        append(pin, to: directory.file("b.log"))
        unlink(linked)
        symlink(directory.file("b.log"), linked)
        #expect(viaLink.wait { viaLink.findings() == ["werkzeug-debugger-pin-logged"] })
        #expect(tail.stop() == 0 && viaLink.stop() == 0)
    }

    @Test func aTruncationThatRegrewPastTheOffsetIsSeenAndSaid() throws {
        let directory = try TemporaryDirectory()
        let log = directory.file("app.log")
        append(String(repeating: "quiet line\n", count: 20), to: log)
        let tail = try TailProcess(["--from-start", "--poll", log], in: directory)
        usleep(600_000)
        // Truncated and refilled beyond the old size between two looks, no copy beside it.
        let descriptor = open(log, O_WRONLY | O_TRUNC)
        _ = Array((String(repeating: "new quiet line\n", count: 30) + pin).utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        #expect(tail.wait { tail.findings() == ["werkzeug-debugger-pin-logged"] })
        let notice = tail.records().first { $0.type == "notice" }?.data
        #expect(notice?["kind"] as? String == "data-loss")
        #expect(tail.findings().count == 1 && tail.stop() == 0)
    }

    @Test func aRestartResumesWithoutLossOrRepeat() throws {
        let directory = try TemporaryDirectory()
        let log = directory.file("app.log")
        let state = directory.file("state.json")
        append("old\n", to: log)
        var tail = try TailProcess(["--state", state, log], in: directory)
        usleep(400_000)
        append(pin, to: log)
        #expect(tail.wait { tail.findings().count == 1 })
        #expect(tail.stop() == 0)
        append(active, to: log)  // while stopped
        tail = try TailProcess(["--state", state, log], in: directory)
        #expect(tail.wait { tail.findings().count == 2 })
        usleep(500_000)
        #expect(tail.findings() == ["werkzeug-debugger-pin-logged", "werkzeug-debugger-active"])
        // Rotated away while stopped: the rest of the old file is read from the copy kept beside it.
        #expect(tail.stop() == 0)
        append(pin, to: log)
        rename(log, log + ".1")
        append(active, to: log)
        tail = try TailProcess(["--state", state, log], in: directory)
        #expect(tail.wait { tail.findings().count == 4 })
        #expect(tail.stop() == 0)
        // Rotated away and compressed while stopped: the loss is said, not silent.
        append(pin, to: log)
        rename(log, log + ".2")
        _ = try run("/usr/bin/env", ["gzip", log + ".2"])
        append("fresh\n", to: log)
        tail = try TailProcess(["--state", state, log], in: directory)
        #expect(tail.wait { tail.records().contains { $0.type == "notice" && $0.data["kind"] as? String == "data-loss" } })
        #expect(tail.stop() == 0)
    }

    @Test func repeatsAreFoldedIntoARollup() throws {
        let directory = try TemporaryDirectory()
        let log = directory.file("app.log")
        append("", to: log)
        let tail = try TailProcess(["--fold-window", "1", log], in: directory)
        usleep(400_000)
        append(pin + pin + pin, to: log)
        #expect(tail.wait { tail.records().contains { $0.type == "notice" } })
        let rollup = tail.records().first { $0.type == "notice" }?.data
        #expect(tail.findings().count == 1 && rollup?["kind"] as? String == "rollup" && rollup?["count"] as? Int == 3)
        #expect(tail.stop() == 0)
    }

    @Test func hangupReopensTheOutputAndKeepsTheRulesIfNewOnesFail() throws {
        let directory = try TemporaryDirectory()
        let log = directory.file("app.log")
        let rules = directory.file("extra.rules")
        try "rule extra\n  title  x\n  severity  low\n  category  secret\n  keywords  zz\n  regex  zz\n  example  zz\n  not  y\n"
            .write(toFile: rules, atomically: true, encoding: .utf8)
        append("", to: log)
        let tail = try TailProcess(["--rules", rules, log], in: directory)
        usleep(400_000)
        append(pin, to: log)
        #expect(tail.wait { tail.findings().count == 1 })
        rename(tail.outputPath, tail.outputPath + ".1")  // logrotate moves the alert file
        try "rule broken\n".write(toFile: rules, atomically: true, encoding: .utf8)
        kill(tail.process.processIdentifier, SIGHUP)
        usleep(400_000)
        append(active, to: log)
        #expect(tail.wait { tail.findings() == ["werkzeug-debugger-active"] })
        #expect(tail.findings(in: tail.outputPath + ".1") == ["werkzeug-debugger-pin-logged"])
        #expect(tail.standardError.contains("rule 'broken' has no"))
        #expect(tail.stop() == 0)
    }

    @Test func aGlobPicksUpNewFiles() throws {
        let directory = try TemporaryDirectory()
        let tail = try TailProcess([directory.file("*.log")], in: directory)
        usleep(400_000)
        append(pin, to: directory.file("new.log"))
        #expect(tail.wait { tail.records().first { $0.type == "finding" }?.data["path"] as? String == directory.file("new.log") })
        #expect(tail.stop() == 0)
    }
}
