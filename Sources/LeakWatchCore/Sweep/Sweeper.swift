import Dispatch
import Foundation
import Glibc

// Sweep/: `leakwatch sweep`, the nightly pass over whole log trees that reads only what
// is new since the last one. It knows sources, the scanner, sinks and the checkpoint
// format it shares with `tail`; it knows nothing of rule details.

/// Sweeps directory trees, reading only content not swept before.
///
/// Content is known by its first bytes (after decompression) rather than by its name, so
/// `app.log` swept last night up to byte N is read on from byte N tonight whether it is
/// still `app.log`, or `app.log.1`, or `app.log.2.gz`; a copy already swept to its end
/// is not read again. Files are scanned on every core; findings come out in path order
/// whatever the scheduling. The checkpoint is saved atomically at the end.
public final class Sweeper: Sendable {
    public struct Options: Sendable {
        /// The checkpoint to read and write.
        public var statePath: String
        /// Only files whose name matches one of these globs (all when empty).
        public var include: [String] = []
        /// Never files whose name matches one of these globs.
        public var exclude: [String] = []
        /// Files scanned at once. This is the number of cores by default.
        public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        public var scanner = Scanner.Options()

        public init(statePath: String) {
            self.statePath = statePath
        }
    }

    /// What one file gave: its findings and problems, kept until the files before it
    /// are written.
    private struct FileResult {
        var sink = CollectingSink()
        var summary = ScanSummary()
        var entry: Checkpoint.Entry?
    }

    private let rules: RuleSet
    private let options: Options

    public init(rules: RuleSet, options: Options) {
        self.rules = rules
        self.options = options
    }

    /// Sweeps `roots` into `sink` and saves the checkpoint.
    ///
    /// - Throws: a state file that cannot be read or written, or output that cannot be
    ///   written.
    public func run(roots: [String], into sink: inout some AlertSink) throws -> ScanSummary {
        let started = DispatchTime.now()
        let checkpoint = try Checkpoint.load(from: options.statePath)
        var files: [String] = []
        var summary = ScanSummary()
        for root in roots {
            try PathWalker.walk(root) { item in
                switch item {
                case .file(let path) where isSelected(path):
                    files.append(path)
                case .file:
                    break
                case .failure(let path, let message):
                    summary.errors += 1
                    try sink.diagnose(Diagnostic(path: path, message: message))
                }
            }
        }
        // Most progress first, so the best resume point for a content wins.
        var progress: [String: Checkpoint.Entry] = [:]
        for entry in checkpoint.files where (progress[key(entry.identity)]?.offset ?? -1) < entry.offset {
            progress[key(entry.identity)] = entry
        }

        let results = sweep(files, progress: progress)
        var next = Checkpoint()
        for result in results {
            for finding in result.sink.findings { try sink.report(finding) }
            for diagnostic in result.sink.diagnostics { try sink.diagnose(diagnostic) }
            summary.add(result.summary)
            if let entry = result.entry { next.files.append(entry) }
        }
        // Content not seen tonight stays known (a copy may come back compressed).
        let seen = Set(next.files.map { key($0.identity) })
        next.files += progress.values.filter { !seen.contains(key($0.identity)) }.sorted { $0.path < $1.path }
        try next.save(to: options.statePath)
        summary.elapsedSeconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        try sink.finish(summary)
        return summary
    }

    /// Scans `files` on `options.threads` threads, one scanner each; results in file order.
    private func sweep(_ files: [String], progress: [String: Checkpoint.Entry]) -> [FileResult] {
        let results = Slots<FileResult>(count: files.count)
        let threads = min(options.threads, max(1, files.count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let scanner = Scanner(rules: rules, options: options.scanner)
            while let index = results.claim() {
                results.fill(index, with: sweepFile(files[index], scanner: scanner, progress: progress))
            }
        }
        return results.values
    }

    private func sweepFile(_ path: String, scanner: Scanner, progress: [String: Checkpoint.Entry]) -> FileResult {
        var result = FileResult()
        do {
            let opened = try SourceOpener.open(path: path)
            var source = opened.source
            let head = try readPrefix(of: &source, count: FileIdentity.fingerprintBytes)
            var hash = FNV1a64()
            hash.add(head)
            let identity = FileIdentity(device: 0, inode: 0, fingerprint: hash.value, fingerprintLength: head.count)
            var replayed: any ByteSource = PrefixedSource(prefix: head, upstream: source)
            let resume = progress[key(identity)]
            let skip = resume?.offset ?? 0
            let skipped = try discard(skip, from: &replayed)
            if skipped < skip {
                // Shorter than what was swept: not the same content after all (or it was
                // truncated); read it whole.
                replayed = try SourceOpener.open(path: path).source
            }
            let offset = skipped < skip ? 0 : skip
            let line = skipped < skip ? 0 : resume?.line ?? 0
            let counted = CountingSource(upstream: replayed)
            try scanner.scan(counted, info: opened.info, kind: .log, into: &result.sink, summary: &result.summary,
                             lineOffset: line, byteOffset: offset)
            result.entry = Checkpoint.Entry(path: path, identity: identity, offset: offset + counted.count,
                                            line: line + result.summary.lines)
        } catch let error as InputError {
            result.summary.errors += 1
            try? result.sink.diagnose(Diagnostic(path: path, message: error.message))
        } catch {
            result.summary.errors += 1
            try? result.sink.diagnose(Diagnostic(path: path, message: "\(error)"))
        }
        return result
    }

    /// Reads and drops `count` bytes; returns how many there were.
    private func discard(_ count: Int, from source: inout any ByteSource) throws(InputError) -> Int {
        guard count > 0 else { return 0 }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { buffer.deallocate() }
        var dropped = 0
        while dropped < count {
            let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, count - dropped)]))
            if read == 0 { break }
            dropped += read
        }
        return dropped
    }

    private func key(_ identity: FileIdentity) -> String {
        "\(identity.fingerprintLength):\(identity.fingerprint)"
    }

    private func isSelected(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        func matches(_ pattern: String) -> Bool { fnmatch(pattern, name, 0) == 0 || fnmatch(pattern, path, 0) == 0 }
        return (options.include.isEmpty || options.include.contains(where: matches)) && !options.exclude.contains(where: matches)
    }
}

/// One result slot per file, claimed by worker threads one at a time and filled by the
/// thread that claimed it.
private final class Slots<Value>: @unchecked Sendable {
    // SAFETY: `next` and `slots` are only touched under `lock`; `values` is read after
    // every worker has finished (concurrentPerform returns only then).
    private var next = 0
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    /// The next unclaimed index, or nil when every one was claimed.
    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func fill(_ index: Int, with value: Value) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = value
    }

    var values: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}

/// Counts the bytes read through it.
private final class CountingSource: ByteSource {
    private var upstream: any ByteSource
    private(set) var count = 0

    init(upstream: any ByteSource) { self.upstream = upstream }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let read = try upstream.read(into: buffer)
        count += read
        return read
    }
}
