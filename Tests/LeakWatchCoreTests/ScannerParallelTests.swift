import Foundation
import Testing
@testable import LeakWatchCore

@Suite struct ScannerParallelTests {
    func scan(_ paths: [String], threads: Int, splitMinimum: Int = 32 << 20) throws -> CollectingSink {
        var options = Scanner.Options()
        options.threads = threads
        options.splitMinimum = splitMinimum
        var sink = CollectingSink()
        try Scanner(rules: builtinRules, options: options).scan(paths: paths, into: &sink)
        return sink
    }

    /// The summary without the time it took.
    func counts(_ sink: CollectingSink) -> ScanSummary? {
        var summary = sink.summary
        summary?.elapsedSeconds = 0
        return summary
    }

    @Test func filesOnSeveralThreadsGiveWhatOneThreadGives() throws {
        let paths = [repositoryRoot + "/samples", "/nonexistent/leakwatch.log"]
        let one = try scan(paths, threads: 1)
        for threads in [2, 5] {
            let many = try scan(paths, threads: threads)
            #expect(many.findings == one.findings)
            #expect(many.diagnostics == one.diagnostics)
            #expect(counts(many) == counts(one))
        }
        #expect(one.findings.count > 100 && one.diagnostics.count == 1)
    }

    /// A log split into ranges, with tracebacks and secrets across the range ends, gives
    /// the findings, line numbers, offsets and counts of one thread.
    @Test(arguments: [(3, 16 << 10), (8, 5 << 10), (2, 40 << 10)])
    func aLogSplitIntoRangesGivesWhatOneThreadGives(threads: Int, splitMinimum: Int) throws {
        let directory = try TemporaryDirectory()
        var pieces: [[UInt8]] = []
        for folder in ["traces", "secrets", "flask-debug-on"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(repositoryRoot)/samples/\(folder)").sorted()
            where name.hasSuffix(".log") {
                pieces.append(Array(try Data(contentsOf: URL(fileURLWithPath: "\(repositoryRoot)/samples/\(folder)/\(name)"))))
            }
        }
        var bytes: [UInt8] = []
        var round = 0
        while bytes.count < 400_000 {
            for piece in pieces.arranged(by: round) { bytes += piece }
            round += 1
        }
        let path = try directory.write("big.log", bytes)
        var options = Scanner.Options()
        options.threads = threads
        options.splitMinimum = splitMinimum
        let starts = Scanner(rules: builtinRules, options: options).plan(path).compactMap { unit -> Int? in
            if case .range(_, let start, _, _) = unit { start } else { nil }
        }
        #expect(starts.count == min(threads * 8, bytes.count / splitMinimum))

        let one = try scan([path], threads: 1)
        let many = try scan([path], threads: threads, splitMinimum: splitMinimum)
        #expect(many.findings == one.findings)
        #expect(counts(many) == counts(one))
        #expect(counts(one)?.inputs == 1 && counts(one)?.inputsWithFindings == 1)

        // The test means something only if an event runs across a range's first line.
        let firstLines = starts.dropFirst().map { start in bytes[..<start].count { $0 == 0x0A } + 1 }
        let crossing = one.findings.filter { finding in
            guard let event = finding.event else { return false }
            return firstLines.contains { finding.line < $0 && $0 <= event.endLine }
        }
        #expect(!crossing.isEmpty)
    }
}

extension Array {
    /// The elements in an order fixed by `seed` (a rotation and a reversal): varied, yet
    /// the same on every run.
    fileprivate func arranged(by seed: Int) -> [Element] {
        guard !isEmpty else { return self }
        let turn = seed % count
        let rotated = Array(self[turn...] + self[..<turn])
        return seed % 2 == 0 ? rotated : rotated.reversed()
    }
}
