import FoundationEssentials
import Glibc

/// `leakwatch tail`: follows files (paths or globs) like `tail -F`, through rotation,
/// truncation and restarts, scanning each line once its newline arrives and writing
/// findings as they come.
///
/// - Rename-and-create: the old file is read to its end, for as long as a writer still
///   appends to it (until it has been idle for ``Options/drainGrace``), while the new one
///   is read from its start.
/// - Copytruncate: a truncation is seen by size or, when the file regrew past the old
///   offset before it was looked at, by the fingerprint of its first bytes; what was
///   appended before the truncation is read from the copy beside it, if it is there, and
///   the file is read again from 0. When no copy is found, a data-loss notice says so.
/// - Delete-and-recreate and a symlink swapped to a new target are rotations too.
/// - With a state file, each file's identity and offset are saved atomically, only up to
///   where every finding has been written; a restart resumes there, also from a file
///   rotated away meanwhile, and says so when such a file is gone.
public final class Follower {
    public struct Options: Sendable {
        /// Where to save and read the checkpoint; nil keeps no state.
        public var statePath: String?
        /// Start files that are there when following begins at their end (`--from-end`,
        /// the default) rather than their start. Files that appear later, and files with
        /// a checkpoint, are read from their start or checkpoint.
        public var startAtEnd = true
        /// Look at the files every ``pollInterval`` instead of waiting for inotify.
        public var polling = false
        public var pollInterval = 0.25
        /// Seconds without new data after which a last line without newline is scanned
        /// and open events (tracebacks) are reported. This is 1 by default.
        public var idleTimeout = 1.0
        /// Seconds a fingerprint's repeats are folded into its first finding; 0 folds
        /// nothing. This is 60 by default.
        public var foldWindow = 60.0
        /// Seconds an old, rotated file is kept open after its last growth. This is 2 by
        /// default.
        public var drainGrace = 2.0
        /// Seconds between checkpoints when nothing was reported. This is 1 by default.
        public var commitInterval = 1.0
        public var maxLineBytes = LineReader.defaultMaxLineBytes
        public var detector = Detector.Options()
        /// Findings already written before a restart (`path`, byte offset, rule id), not
        /// to be written again.
        public var alreadyReported: Set<String> = []

        public init() {}
    }

    /// The key of a finding in ``Options/alreadyReported``.
    public static func reportKey(path: String, byteOffset: Int, ruleID: String) -> String {
        "\(path)\u{0}\(byteOffset)\u{0}\(ruleID)"
    }

    private final class FollowedLog {
        let path: String
        var current: TailReader?
        var draining: [TailReader] = []
        var reportedFailure = false
        init(path: String) { self.path = path }
    }

    private let patterns: [String]
    private var rules: RuleSet
    private let options: Options
    private var sink: any AlertSink
    private let reloadRules: () -> RuleSet?
    private let reopenSink: () -> (any AlertSink)?
    private var logs: [String: FollowedLog] = [:]
    private var checkpoint = Checkpoint()
    private var folder: AlertFolder
    private var alreadyReported: Set<String>
    private var reportedSinceCommit = false
    private var lastCommit = 0.0
    private var startedUp = false

    public init(patterns: [String], rules: RuleSet, options: Options, sink: any AlertSink,
                reloadRules: @escaping () -> RuleSet?, reopenSink: @escaping () -> (any AlertSink)?) {
        self.patterns = patterns
        self.rules = rules
        self.options = options
        self.sink = sink
        self.reloadRules = reloadRules
        self.reopenSink = reopenSink
        self.folder = AlertFolder(window: options.foldWindow)
        self.alreadyReported = options.alreadyReported
    }

    /// Follows until SIGTERM or SIGINT, then reports open events and saves the state.
    ///
    /// - Throws: a state file that cannot be read or written, output that cannot be
    ///   written, or inotify that cannot start.
    public func run() throws {
        if let statePath = options.statePath { checkpoint = try Checkpoint.load(from: statePath) }
        let watcher = try Watcher(polling: options.polling)
        var stopping = false
        while true {
            let now = monotonicNow()
            var busy = false
            // Paths followed before stay, so a file that stopped matching a glob (deleted,
            // renamed away) is still read to its end.
            for path in Set(expandPatterns()).union(logs.keys).sorted() {
                let log = logs[path] ?? FollowedLog(path: path)
                logs[path] = log
                watcher.watch(directory: directoryOf(path))
                if let real = realpath(path, nil) {
                    watcher.watch(directory: directoryOf(String(cString: real)))
                    free(real)
                }
                busy = try step(log, now: now) || busy
            }
            startedUp = true
            try flushIdle(now: now)
            for rollup in folder.close(at: wallNow()) { try sink.notice(notice(for: rollup)) }
            if reportedSinceCommit || now - lastCommit >= options.commitInterval { try commit(now: now) }
            if stopping { break }
            let pendingWork = logs.values.contains { log in ([log.current].compactMap { $0 } + log.draining).contains { $0.hasPending } }
            let timeout = busy ? 0 : options.polling ? options.pollInterval : pendingWork ? 0.2 : 1.0
            for signal in watcher.wait(timeout: timeout) {
                switch signal {
                case .stop: stopping = true
                case .reload: try reload()
                }
            }
        }
        for log in logs.values {
            for reader in [log.current].compactMap({ $0 }) + log.draining {
                try reader.detector.finishInput(report: report)
            }
        }
        for rollup in folder.close(at: wallNow(), all: true) { try sink.notice(notice(for: rollup)) }
        try commit(now: monotonicNow())
    }

    // MARK: - One file

    /// Looks at `log`'s path for rotation or truncation and reads what was appended;
    /// returns true if a read stopped at its limit (more is waiting).
    private func step(_ log: FollowedLog, now: Double) throws -> Bool {
        let descriptor = open(log.path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno != ENOENT && !log.reportedFailure {
                log.reportedFailure = true
                try sink.diagnose(Diagnostic(path: log.path, message: "cannot open: \(systemMessage(errno)); trying again"))
            }
        } else if let identity = FileIdentity.of(descriptor) {
            log.reportedFailure = false
            if let current = log.current {
                if identity.device != current.identity.device || identity.inode != current.identity.inode {
                    log.draining.append(current)
                    log.current = reader(descriptor, identity, offset: 0, line: 0, log: log, now: now)
                } else {
                    close(descriptor)
                    if let size = current.size, size < current.readPosition || !current.identity.firstBytesMatch(current.descriptor) {
                        try truncated(log, current, now: now)
                    }
                }
            } else {
                try start(log, descriptor: descriptor, identity: identity, now: now)
            }
        } else {
            close(descriptor)
        }

        // Old files first: their lines were written before the current file's.
        var busy = false
        for reader in log.draining + [log.current].compactMap({ $0 }) {
            busy = try reader.readAppended(limit: 4 << 20, now: now, report: report) == 4 << 20 || busy
        }
        let drained = log.draining.filter { now - $0.lastGrowth >= options.drainGrace }
        for reader in drained { try reader.flush(report: report) }
        log.draining.removeAll { now - $0.lastGrowth >= options.drainGrace }
        return busy
    }

    /// The first sight of `log`'s file: resume from the checkpoint, or start at the end
    /// (files there at startup, with `--from-end`) or the start (files that appear later).
    private func start(_ log: FollowedLog, descriptor: Int32, identity: FileIdentity, now: Double) throws {
        var offset = 0, line = 0
        if let saved = checkpoint.entry(for: log.path) {
            if saved.identity.matches(descriptor), let size = fileSize(descriptor), size >= saved.offset {
                (offset, line) = (saved.offset, saved.line)
            } else {
                try resumeRotated(saved, log: log, now: now)
            }
        } else if !startedUp && options.startAtEnd, let size = fileSize(descriptor) {
            offset = size
            line = countLines(descriptor, upTo: size)
        }
        for saved in checkpoint.rotatedEntries(for: log.path) { try resumeRotated(saved, log: log, now: now) }
        log.current = reader(descriptor, identity, offset: offset, line: line, log: log, now: now)
    }

    /// Finds the file a checkpoint entry named, now rotated away (renamed beside it, or
    /// a copy of it), and reads it on from the saved offset; says so when it is gone.
    private func resumeRotated(_ saved: Checkpoint.Entry, log: FollowedLog, now: Double) throws {
        if let found = findRotated(of: log.path, identity: saved.identity, atLeast: saved.offset) {
            log.draining.append(reader(found.descriptor, found.identity, offset: saved.offset, line: saved.line, log: log, now: now))
        } else {
            try sink.notice(Notice(kind: .dataLoss, path: log.path,
                                   message: "the file read up to byte \(saved.offset) (line \(saved.line)) was rotated away while leakwatch was not following it and is not beside it any more (compressed or deleted): lines after it were not read"))
        }
    }

    /// The same file truncated (copytruncate): read what was appended before the
    /// truncation from the copy beside it, then read the file again from 0.
    private func truncated(_ log: FollowedLog, _ old: TailReader, now: Double) throws {
        if let copy = findRotated(of: log.path, identity: old.identity, atLeast: 0, copiesOnly: true) {
            // The copy holds what the file held when it was copied. Past our offset, that
            // is what we have not read yet; short of it, we read everything it has, and
            // more (lines appended between the copy and the truncation).
            try old.detector.finishInput(report: report)
            if let size = fileSize(copy.descriptor), size > old.offset {
                let catchUp = reader(copy.descriptor, copy.identity, offset: old.offset, line: old.lineCount, log: log, now: now)
                while try catchUp.readAppended(limit: .max, now: now, report: report) > 0 {}
                try catchUp.flush(report: report)
            } else {
                close(copy.descriptor)
            }
        } else {
            try old.flush(report: report)
            try sink.notice(Notice(kind: .dataLoss, path: log.path,
                                   message: "the file was truncated after byte \(old.readPosition) was read; lines appended before the truncation and not yet read, if any, are lost (no copy of the file beside it)"))
        }
        let descriptor = open(log.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, let identity = FileIdentity.of(descriptor) else {
            if descriptor >= 0 { close(descriptor) }
            log.current = nil
            return
        }
        log.current = reader(descriptor, identity, offset: 0, line: 0, log: log, now: now)
    }

    /// A file beside `path` (its name starting with `path`'s, not compressed) that is the
    /// file with `identity` (same device and inode, or with `copiesOnly` any file that
    /// starts with the same bytes), at least `atLeast` bytes long.
    private func findRotated(of path: String, identity: FileIdentity, atLeast: Int,
                             copiesOnly: Bool = false) -> (descriptor: Int32, identity: FileIdentity)? {
        let directory = directoryOf(path)
        let base = PathName.lastComponent(path)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() where name != base && name.hasPrefix(base)
            && ![".gz", ".zst", ".bz2", ".xz", ".lz4", ".br"].contains(where: name.hasSuffix) {
            let candidate = directory + "/" + name
            let descriptor = open(candidate, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            if let found = FileIdentity.of(descriptor), fileSize(descriptor).map({ $0 >= atLeast }) == true,
               copiesOnly ? identity.firstBytesMatch(descriptor) : identity.matches(descriptor) {
                return (descriptor, found)
            }
            close(descriptor)
        }
        return nil
    }

    private func reader(_ descriptor: Int32, _ identity: FileIdentity, offset: Int, line: Int, log: FollowedLog,
                        now: Double) -> TailReader {
        TailReader(descriptor: descriptor, identity: identity, offset: offset, lineCount: line, name: log.path,
                   rules: rules, options: options.detector, maxLineBytes: options.maxLineBytes, now: now)
    }

    // MARK: - Findings, idle flush, checkpoint, reload

    private func report(_ finding: Finding) throws {
        let key = Self.reportKey(path: finding.path, byteOffset: finding.byteOffset, ruleID: finding.ruleID)
        if alreadyReported.remove(key) != nil { return }  // written before a restart
        guard folder.admit(finding, at: wallNow()) else { return }
        try sink.report(finding)
        reportedSinceCommit = true
    }

    private func flushIdle(now: Double) throws {
        for log in logs.values {
            for reader in [log.current].compactMap({ $0 }) + log.draining
            where reader.hasPending && now - reader.lastGrowth >= options.idleTimeout {
                try reader.flush(report: report)
            }
        }
    }

    private func commit(now: Double) throws {
        lastCommit = now
        reportedSinceCommit = false
        guard let statePath = options.statePath else { return }
        var next = Checkpoint()
        for log in logs.values.sorted(by: { $0.path < $1.path }) {
            if let current = log.current {
                let place = current.checkpoint
                next.files.append(.init(path: log.path, identity: current.identity, offset: place.offset, line: place.line))
            }
            for reader in log.draining {
                let place = reader.checkpoint
                next.files.append(.init(path: log.path, identity: reader.identity, offset: place.offset, line: place.line, rotated: true))
            }
        }
        // Files not followed now keep their entries (a path that is missing for a while).
        next.files += checkpoint.files.filter { entry in logs[entry.path] == nil }
        guard next != checkpoint else { return }
        try next.save(to: statePath)
        checkpoint = next
    }

    private func reload() throws {
        if let reopened = reopenSink() { sink = reopened }
        guard let fresh = reloadRules() else { return }  // the old rules stay
        rules = fresh
        for log in logs.values {
            for reader in [log.current].compactMap({ $0 }) + log.draining {
                try reader.replaceRules(fresh, options: options.detector, report: report)
            }
        }
    }

    private func notice(for rollup: AlertFolder.Rollup) -> Notice {
        var notice = Notice(kind: .rollup, path: rollup.first.path,
                            message: "\(rollup.count - 1) more finding\(rollup.count == 2 ? "" : "s") of \(rollup.first.ruleID) with the same fingerprint were folded into the first")
        notice.finding = rollup.first
        notice.count = rollup.count
        notice.firstSeen = rollup.firstSeen
        notice.lastSeen = rollup.lastSeen
        return notice
    }

    // MARK: - Paths and clocks

    private func expandPatterns() -> [String] {
        var paths: [String] = []
        for pattern in patterns {
            guard pattern.contains(where: { "*?[".contains($0) }) else {
                paths.append(pattern)
                continue
            }
            var matches = glob_t()
            defer { globfree(&matches) }
            guard glob(pattern, 0, nil, &matches) == 0 else { continue }
            for index in 0..<Int(matches.gl_pathc) {
                if let match = matches.gl_pathv[index] { paths.append(String(cString: match)) }
            }
        }
        return paths
    }

    private func directoryOf(_ path: String) -> String {
        PathName.directory(path)
    }

    private func countLines(_ descriptor: Int32, upTo size: Int) -> Int {
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var lines = 0, position = 0
        while position < size {
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, min($0.count, size - position), off_t(position)) }
            guard count > 0 else { break }
            lines += block[..<count].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            position += count
        }
        return lines
    }

    private func monotonicNow() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func wallNow() -> Double { Date().timeIntervalSince1970 }
}
