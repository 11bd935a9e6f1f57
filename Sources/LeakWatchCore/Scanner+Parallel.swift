import Dispatch
import Glibc

/// Scanning on several threads (`-j`): inputs in parallel, and a large plain log in
/// ranges split at line ends. Output is exactly what one thread gives, in the same order.
///
/// A range is scanned as if no event (a traceback) were open at its start. To make that
/// exact, the scan of the range before reads on past its end, reporting events only,
/// until its own events and those a fresh start at the boundary would open have all
/// closed: from that line on, both agree with one thread. It then *claims* those lines:
/// the writer drops the next range's events that start in them, and slots the events
/// it carried over in among the next range's findings where one thread reports them.
extension Scanner {
    /// One piece of a parallel scan.
    enum Unit: Sendable {
        /// A whole input (a file, or `-`).
        case input(String)
        /// Bytes `start..<end` of the plain log `path`, the `index`-th of its ranges.
        case range(path: String, start: Int, end: Int, index: Int)
        /// A path the walk could not read.
        case failure(path: String, message: String)
    }

    /// What a unit sends to the thread that writes the output. Line numbers are counted
    /// from the unit's first line.
    enum UnitOutput: @unchecked Sendable {
        // SAFETY: a value is made on one worker thread and handed whole to the writer
        // through a Channel (under its lock); neither side touches it afterwards.
        /// A finding, made while line `madeAt` was scanned.
        case finding(Finding, madeAt: Int)
        case diagnostic(Diagnostic)
        /// An event found reading past the range's end, made while line `madeAt` was
        /// scanned (`Int.max`: at the end of the input).
        case carried(Finding, madeAt: Int)
        /// The range's events cover every line before `line`: later ranges' events that
        /// start there are dropped.
        case claim(before: Int)
        case done(ScanSummary)
    }

    /// Scans `paths` on `options.threads` threads into `sink` (called on this thread only).
    func scanInParallel(paths: [String], into sink: inout some AlertSink, summary: inout ScanSummary) throws {
        var units: [Unit] = []
        for path in paths {
            PathWalker.walk(path) { item in
                switch item {
                case .file(let file): units += plan(file)
                case .skipped: break
                case .failure(let failed, let message): units.append(.failure(path: displayName(failed), message: message))
                }
            }
        }
        let planned = units
        let rules = self.rules
        var single = options
        single.threads = 1
        let workerOptions = single
        var writer = RangeWriter()
        var previousUnit = -1
        try OrderedWorkers.run(
            units: units.count, threads: options.threads, capacity: 256,
            makeState: { Scanner(rules: rules, options: workerOptions) },
            work: { scanner, index, channel in scanner.run(planned[index], into: channel) },
            consume: { index, output in
                var isRange = false, isLastOfFile = true
                if case .range(_, _, _, let part) = units[index] {
                    isRange = true
                    if part == 0, index != previousUnit { writer.startFile() }
                    if index + 1 < units.count, case .range(_, _, _, let next) = units[index + 1], next > 0 {
                        isLastOfFile = false
                    }
                }
                previousUnit = index
                try writer.write(output, isRange: isRange, isLastOfFile: isLastOfFile, into: &sink, summary: &summary)
            })
    }

    /// The units for one file: ranges for a large plain log, else the whole input.
    func plan(_ path: String) -> [Unit] {
        guard path != SourceOpener.standardInputPath, options.threads > 1, options.inputKind ?? .log == .log else {
            return [.input(path)]
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) >= 2 * options.splitMinimum,
              isPlainLog(path) else {
            return [.input(path)]
        }
        let size = Int(info.st_size)
        let parts = min(options.threads * 8, size / options.splitMinimum)  // 8 a thread evens out the load
        var starts = [0]
        for part in 1..<parts {
            if let start = lineStart(in: path, atOrAfter: size / parts * part), start > (starts.last ?? 0), start < size {
                starts.append(start)
            }
        }
        return starts.indices.map { index in
            .range(path: path, start: starts[index], end: index + 1 < starts.count ? starts[index + 1] : size, index: index)
        }
    }

    /// Returns true if and only if `path` holds uncompressed data that reads as a log.
    private func isPlainLog(_ path: String) -> Bool {
        guard let opened = try? SourceOpener.open(path: path), opened.info.encoding == .plain else { return false }
        if let kind = options.inputKind { return kind == .log }
        guard let (kind, _) = try? InputKind.detect(opened.source) else { return false }
        return kind == .log
    }

    /// The offset just past the first `\n` at or after `offset`, or nil if none comes in
    /// the next 1 MiB (a split there is not worth a search).
    private func lineStart(in path: String, atOrAfter offset: Int) -> Int? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var block = [UInt8](repeating: 0, count: 64 << 10)
        var position = offset
        while position < offset + (1 << 20) {
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(position)) }
            guard count > 0 else { return nil }
            if let newline = block[..<count].firstIndex(of: 0x0A) { return position + newline + 1 }
            position += count
        }
        return nil
    }

    /// Runs one unit on this worker's scanner, sending what it finds to `channel`.
    private func run(_ unit: Unit, into channel: Channel<UnitOutput>) {
        var sink = ChannelSink(channel: channel)
        var summary = ScanSummary()
        do {
            switch unit {
            case .input(let path):
                try scan(path: path, into: &sink, summary: &summary)
            case .range(let path, let start, let end, _):
                try scanRange(path: path, start: start, end: end, into: &sink, summary: &summary)
            case .failure(let path, let message):
                summary.errors += 1
                try sink.diagnose(Diagnostic(path: path, message: message))
            }
        } catch {
            return  // cancelled: the writer stopped
        }
        channel.send(.done(summary))
    }

    /// Scans bytes `start..<end` (whole lines) of the plain log at `path` as if no event
    /// were open at `start`, then reads on past `end` for events only (see the type's
    /// note) and sends the claim. Line numbers count from the range's first line (the
    /// writer adds the lines before it); byte offsets are the file's.
    private func scanRange(path: String, start: Int, end: Int,
                           into sink: inout ChannelSink, summary: inout ScanSummary) throws {
        let info = SourceInfo(name: path)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            try diagnose(.system("cannot open", errno: errno), in: info, line: nil, into: &sink, summary: &summary)
            return
        }
        defer { close(descriptor) }
        if start == 0 { summary.inputs += 1 }
        let detector = self.detector
        func report(_ found: Finding) throws {
            var finding = found
            finding.byteOffset += start  // counted by the writer, which may drop it (a claim)
            try sink.report(finding, madeAt: detector.currentLine)
        }
        let reader = LineReader(source: FileRangeSource(descriptor: descriptor, start: start, end: end),
                                bufferSize: options.bufferSize, maxLineBytes: options.maxLineBytes)
        var readError: InputError?
        while true {
            let chunk: Chunk?
            do { chunk = try reader.nextChunk() } catch { readError = error; break }
            guard let chunk else { break }
            try detector.scan(chunk, source: info, context: .log, report: report)
        }
        summary.bytes += reader.bytesRead
        summary.lines += reader.lineCount
        summary.truncatedLines += reader.truncatedLineCount
        if let readError {
            try detector.finishInput(report: report)
            try diagnose(readError, in: info, line: reader.lineCount + 1, suffix: "; the data before it was scanned",
                         into: &sink, summary: &summary)
        } else {
            let claim = try readPastEnd(descriptor: descriptor, end: end, after: reader, info: info) { finding, madeAt in
                var carried = finding
                carried.byteOffset += start
                guard sink.channel.send(.carried(carried, madeAt: madeAt)) else { throw ChannelSink.Cancelled() }
            }
            guard sink.channel.send(.claim(before: claim)) else { throw ChannelSink.Cancelled() }
            try detector.finishInput(report: report)  // clear: nothing is open any more
        }
        try reportMatchFailures(into: &sink, summary: &summary)
    }

    /// Reads the lines after `end` one at a time into this scanner's detector (events
    /// only) and into a fresh one, until neither has an event open or a line held, or
    /// the input ends. Returns the number (from the range's first line) of the first
    /// line not read.
    private func readPastEnd(descriptor: Int32, end: Int, after reader: LineReader, info: SourceInfo,
                             carry: (Finding, Int) throws -> Void) throws -> Int {
        var nextLine = reader.lineCount + 1
        guard detector.hasPendingEvents else { return nextLine }
        let fresh = Detector(rules: rules, options: detector.options)
        let tail = LineReader(source: FileRangeSource(descriptor: descriptor, start: end, end: Int.max),
                              bufferSize: options.bufferSize, maxLineBytes: options.maxLineBytes)
        let lineBase = reader.lineCount, byteBase = reader.bytesRead
        func carryFinding(_ finding: Finding) throws { try carry(finding, detector.currentLine) }
        /// Scans one line (or piece); true once both detectors are clear after a whole line.
        func read(_ line: Chunk) throws -> Bool {
            try detector.scan(line, source: info, context: .log, reportsLineFindings: false, report: carryFinding)
            fresh.scan(line, source: info, context: .log, reportsLineFindings: false) { _ in }
            guard line.piece?.isLast ?? true else { return false }
            nextLine += 1
            return !detector.hasPendingEvents && !fresh.hasPendingEvents
        }
        while let chunk = try? tail.nextChunk(), let base = chunk.bytes.baseAddress {
            guard chunk.piece == nil else {
                let piece = Chunk(bytes: chunk.bytes, firstLineNumber: chunk.firstLineNumber + lineBase,
                                  byteOffset: chunk.byteOffset + byteBase, piece: chunk.piece)
                if try read(piece) { return nextLine }
                continue
            }
            var offset = 0, number = chunk.firstLineNumber
            while offset < chunk.bytes.count {
                let end = memchr(base + offset, 0x0A, chunk.bytes.count - offset)
                    .map { base.distance(to: UnsafeRawPointer($0)) + 1 } ?? chunk.bytes.count
                let line = Chunk(bytes: UnsafeRawBufferPointer(rebasing: chunk.bytes[offset..<end]),
                                 firstLineNumber: number + lineBase, byteOffset: chunk.byteOffset + offset + byteBase, piece: nil)
                if try read(line) { return nextLine }
                number += 1
                offset = end
            }
        }
        try detector.finishInput { try carry($0, Int.max) }
        return nextLine
    }
}

/// Sends findings and diagnostics to the writer thread; throws once the writer stopped.
private struct ChannelSink: AlertSink {
    struct Cancelled: Error {}

    let channel: Channel<Scanner.UnitOutput>

    mutating func report(_ finding: Finding) throws {
        try report(finding, madeAt: finding.line)
    }

    func report(_ finding: Finding, madeAt: Int) throws {
        guard channel.send(.finding(finding, madeAt: madeAt)) else { throw Cancelled() }
    }

    mutating func diagnose(_ diagnostic: Diagnostic) throws {
        guard channel.send(.diagnostic(diagnostic)) else { throw Cancelled() }
    }

    mutating func finish(_ summary: ScanSummary) throws {}
}

/// Puts the units' output together, on the writer thread, as one thread would have
/// made it: line numbers of a file's ranges counted from the file's start, events the
/// claim covers dropped, carried events slotted in, and every count made once.
private struct RangeWriter {
    /// Lines of the file before the current range.
    private var lineBase = 0
    /// Events starting before this line of the file were reported by an earlier range.
    private var claimedBefore = 0
    /// Carried events waiting for their place: the line of the file that made each.
    private var carried: [(finding: Finding, madeAt: Int)] = []
    private var fileFindings = 0

    mutating func startFile() {
        lineBase = 0
        claimedBefore = 0
        carried = []
        fileFindings = 0
    }

    mutating func write(_ output: Scanner.UnitOutput, isRange: Bool, isLastOfFile: Bool,
                        into sink: inout some AlertSink, summary: inout ScanSummary) throws {
        switch output {
        case .finding(var finding, let madeAt):
            guard isRange else { return try report(finding, into: &sink, summary: &summary) }
            shift(&finding)
            if finding.event != nil, finding.line < claimedBefore { return }
            try flushCarried(through: madeAt + lineBase, into: &sink, summary: &summary)
            try report(finding, into: &sink, summary: &summary)
        case .diagnostic(let diagnostic):
            let line = isRange ? diagnostic.line.map { $0 + lineBase } : diagnostic.line
            try sink.diagnose(Diagnostic(path: diagnostic.path, line: line, column: diagnostic.column, message: diagnostic.message))
        case .carried(var finding, let madeAt):
            shift(&finding)
            guard finding.line >= claimedBefore else { return }
            let place = madeAt == Int.max ? Int.max : madeAt + lineBase
            let index = carried.firstIndex { $0.madeAt > place } ?? carried.count
            carried.insert((finding, place), at: index)
        case .claim(let before):
            claimedBefore = max(claimedBefore, before + lineBase)
        case .done(var unit):
            if isRange {
                lineBase += unit.lines
                try flushCarried(through: isLastOfFile ? Int.max : lineBase, into: &sink, summary: &summary)
                unit.inputsWithFindings = isLastOfFile && fileFindings > 0 ? 1 : 0
            }
            unit.findings = 0  // counted as reported, so a closed pipe still leaves a true count
            unit.findingsBySeverity = [:]
            summary.add(unit)
        }
    }

    private func shift(_ finding: inout Finding) {
        finding.line += lineBase
        if var event = finding.event {
            event.endLine += lineBase
            finding.event = event
        }
    }

    private mutating func flushCarried(through line: Int, into sink: inout some AlertSink,
                                       summary: inout ScanSummary) throws {
        while let first = carried.first, first.madeAt <= line {
            carried.removeFirst()
            try report(first.finding, into: &sink, summary: &summary)
        }
    }

    private mutating func report(_ finding: Finding, into sink: inout some AlertSink, summary: inout ScanSummary) throws {
        fileFindings += 1
        summary.count(finding)
        try sink.report(finding)
    }
}
