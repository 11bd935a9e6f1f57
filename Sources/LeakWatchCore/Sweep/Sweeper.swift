import Dispatch
import FoundationEssentials
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
        /// Read symbolic links that point out of the swept trees (`--follow`). By default
        /// they are skipped, so a link cannot pull a file from elsewhere into a sweep.
        public var followLinksOut = false
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

    /// What a sweep did, beyond the findings: for the summary at its end.
    public struct Report: Sendable {
        public var summary = ScanSummary()
        /// Files read in part or whole, and files whose content was swept before.
        public var filesRead = 0
        public var filesAlreadySwept = 0
        public var findingsByRule: [String: Int] = [:]
        public var findingsByFile: [String: Int] = [:]
        /// Paths not read, and why (a FIFO, a device).
        public var skipped: [(path: String, reason: String)] = []
    }

    /// The checkpoint is saved after every this many bytes swept (and at the end), so an
    /// interrupted sweep resumes: 64 MiB.
    public static let saveInterval = 64 << 20

    /// Sweeps `roots` into `sink`, saving the checkpoint as it goes; `progress` (on a
    /// terminal) gets one line now and then.
    ///
    /// - Throws: a state file that cannot be read or written, or output that cannot be
    ///   written.
    public func run(roots: [String], into sink: inout some AlertSink, progress: OutputStream? = nil) throws -> Report {
        let started = DispatchTime.now()
        let checkpoint = try Checkpoint.load(from: options.statePath)
        var report = Report()
        var files: [String] = []
        var seenFiles: [String: String] = [:]  // "device:inode" → the first path it was found under
        for root in roots {
            let realRoot = realPath(root) ?? root
            try PathWalker.walk(root) { item in
                switch item {
                case .file(let path) where isSelected(path):
                    var info = stat()
                    let inode = stat(path, &info) == 0 ? "\(info.st_dev):\(info.st_ino)" : path
                    if !options.followLinksOut, let target = realPath(path), !isInside(target, realRoot) {
                        report.skipped.append((path, "a link out of the swept tree, to \(target) (--follow reads it)"))
                    } else if let first = seenFiles[inode] {
                        report.skipped.append((path, "the same file as \(first)"))
                    } else {
                        seenFiles[inode] = path
                        files.append(path)
                    }
                case .file:
                    break
                case .skipped(let path, let reason):
                    report.skipped.append((path, reason))
                case .failure(let path, let message):
                    report.summary.errors += 1
                    try sink.diagnose(Diagnostic(path: path, message: message))
                }
            }
        }
        var known: [String: Checkpoint.Entry] = [:]
        for entry in checkpoint.files where (known[key(entry.identity)]?.offset ?? -1) < entry.offset {
            known[key(entry.identity)] = entry  // the most progress for a content wins
        }
        let totalBytes = files.reduce(0) { $0 + (fileSize($1) ?? 0) }

        // Workers take files in order; this thread writes each file's results as soon as
        // every file before it is written, so output follows path order with bounded memory.
        let slots = Slots<FileResult>(count: files.count)
        let finished = DispatchSemaphore(value: 0)
        let workers = DispatchGroup()
        let (paths, resumePoints) = (files, known)
        for _ in 0..<min(options.threads, max(1, files.count)) {
            DispatchQueue.global().async(group: workers) { [self] in
                let scanner = Scanner(rules: rules, options: options.scanner)
                while let index = slots.claim() {
                    slots.fill(index, with: sweepFile(paths[index], scanner: scanner, known: resumePoints))
                    finished.signal()
                }
            }
        }
        var next = Checkpoint()
        var written = 0, bytesDone = 0, bytesSinceSave = 0
        var lastProgress = DispatchTime.now()
        func save() throws {
            let seen = Set(next.files.map { key($0.identity) })
            var state = next
            state.files += known.values.filter { !seen.contains(key($0.identity)) }.sorted { $0.path < $1.path }
            try state.save(to: options.statePath)
        }
        while written < files.count {
            _ = finished.wait(timeout: .now() + .milliseconds(500))
            while written < files.count, let result = slots.take(written) {
                for finding in result.sink.findings {
                    try sink.report(finding)
                    report.findingsByRule[finding.ruleID, default: 0] += 1
                    report.findingsByFile[finding.path, default: 0] += 1
                }
                for diagnostic in result.sink.diagnostics { try sink.diagnose(diagnostic) }
                report.summary.add(result.summary)
                if result.summary.bytes > 0 { report.filesRead += 1 } else if result.entry != nil { report.filesAlreadySwept += 1 }
                if let entry = result.entry { next.files.append(entry) }
                bytesDone += fileSize(files[written]) ?? 0
                bytesSinceSave += result.summary.bytes
                written += 1
                if bytesSinceSave >= Self.saveInterval {
                    try save()
                    bytesSinceSave = 0
                }
            }
            if let progress, DispatchTime.now().uptimeNanoseconds - lastProgress.uptimeNanoseconds > 500_000_000 {
                lastProgress = DispatchTime.now()
                try? progress.write("\r\u{1B}[K" + Self.progressLine(files: written, of: files.count, bytes: bytesDone, of: totalBytes,
                                                                     seconds: seconds(since: started)))
                try? progress.flush()
            }
        }
        workers.wait()
        if let progress {
            try? progress.write("\r\u{1B}[K")
            try? progress.flush()
        }
        try save()
        report.summary.elapsedSeconds = seconds(since: started)
        try sink.finish(report.summary)
        return report
    }

    /// `swept 3 of 8 files, 412 of 800 MB, 210 MB/s, about 2 s left`.
    static func progressLine(files: Int, of totalFiles: Int, bytes: Int, of totalBytes: Int, seconds: Double) -> String {
        let rate = seconds > 0 ? Double(bytes) / seconds : 0
        let left = rate > 0 ? Double(max(0, totalBytes - bytes)) / rate : 0
        return "swept \(files) of \(totalFiles) files, \(fixed(Double(bytes) / 1e6, 0)) of \(fixed(Double(totalBytes) / 1e6, 0)) MB, "
            + "\(fixed(rate / 1e6, 0)) MB/s, about \(fixed(left, 0)) s left"
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    private func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    private func fileSize(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    private func sweepFile(_ path: String, scanner: Scanner, known: [String: Checkpoint.Entry]) -> FileResult {
        var result = FileResult()
        do {
            let opened = try SourceOpener.open(path: path)
            var source = opened.source
            let head = try readPrefix(of: &source, count: FileIdentity.fingerprintBytes)
            var hash = FNV1a64()
            hash.add(head)
            // Device and inode of a plain file, as tail records them (0 for decompressed content).
            var info = stat()
            let plain = opened.info.encoding == .plain && stat(path, &info) == 0
            let identity = FileIdentity(device: plain ? UInt64(info.st_dev) : 0, inode: plain ? UInt64(info.st_ino) : 0,
                                        fingerprint: hash.value, fingerprintLength: head.count)
            var replayed: any ByteSource = PrefixedSource(prefix: head, upstream: source)
            let resume = resumePoint(for: head, in: known)
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

    /// The checkpoint entry whose content `head` starts with: an entry's fingerprint may
    /// cover fewer bytes than `head` (the file was shorter when swept, and has grown), so
    /// each length the checkpoint knows is tried. The most progress wins.
    private func resumePoint(for head: [UInt8], in known: [String: Checkpoint.Entry]) -> Checkpoint.Entry? {
        var best: Checkpoint.Entry?
        for length in Set(known.values.map(\.identity.fingerprintLength)) where length <= head.count {
            var hash = FNV1a64()
            hash.add(head.prefix(length))
            if let entry = known["\(length):\(hash.value)"], entry.offset > best?.offset ?? -1 { best = entry }
        }
        return best
    }

    private func key(_ identity: FileIdentity) -> String {
        "\(identity.fingerprintLength):\(identity.fingerprint)"
    }

    private func isSelected(_ path: String) -> Bool {
        let name = PathName.lastComponent(path)
        func matches(_ pattern: String) -> Bool { fnmatch(pattern, name, 0) == 0 || fnmatch(pattern, path, 0) == 0 }
        return (options.include.isEmpty || options.include.contains(where: matches)) && !options.exclude.contains(where: matches)
    }
}

/// One result slot per file, claimed by worker threads one at a time and filled by the
/// thread that claimed it.
private final class Slots<Value>: @unchecked Sendable {
    // SAFETY: `next` and `slots` are only touched under `lock`.
    private var next = 0
    private var slots: [Value?]
    private let lock = Lock()

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

    /// The value of slot `index` if it was filled, which is emptied.
    func take(_ index: Int) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        defer { slots[index] = nil }
        return slots[index]
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
