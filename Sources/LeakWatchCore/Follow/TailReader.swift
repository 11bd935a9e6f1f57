import Glibc

/// One open file being followed: reads what is appended, scans each line once its
/// newline has arrived, and knows the offset up to which every finding has been made.
///
/// - Invariant: `offset` is at a line start; `pending` holds the bytes after it that do
///   not yet end in a newline (at most the line cap).
final class TailReader {
    let descriptor: Int32
    private(set) var identity: FileIdentity
    /// Bytes of the file scanned as whole lines.
    private(set) var offset: Int
    /// Lines before `offset`.
    private(set) var lineCount: Int
    /// When bytes last arrived (seconds, monotonic).
    private(set) var lastGrowth: Double
    private(set) var detector: Detector
    private var pending: [UInt8] = []
    private var block: [UInt8]
    private let maxLineBytes: Int
    private let source: SourceInfo

    /// Takes over `descriptor` (closed on deinit), reading from `offset`, which is after
    /// `lineCount` lines.
    init(descriptor: Int32, identity: FileIdentity, offset: Int, lineCount: Int, name: String,
         rules: RuleSet, options: Detector.Options, maxLineBytes: Int, now: Double) {
        self.descriptor = descriptor
        self.identity = identity
        self.offset = offset
        self.lineCount = lineCount
        self.lastGrowth = now
        self.maxLineBytes = maxLineBytes
        self.source = SourceInfo(name: name)
        self.detector = Detector(rules: rules, options: options)
        self.block = [UInt8](repeating: 0, count: 256 * 1024)
        lseek(descriptor, off_t(offset), SEEK_SET)
    }

    deinit {
        close(descriptor)
    }

    /// Bytes read so far: scanned lines plus a partial line.
    var readPosition: Int { offset + pending.count }

    /// The file's size now, or nil if it cannot be told.
    var size: Int? { fileSize(descriptor) }

    /// Returns true if and only if a partial line or an unfinished event waits.
    var hasPending: Bool { !pending.isEmpty || detector.hasPendingEvents }

    /// Where a checkpoint may be placed: no later than a line still held by the detector.
    var checkpoint: (offset: Int, line: Int) {
        if let held = detector.pendingStart, held.byteOffset < offset { return (held.byteOffset, held.line - 1) }
        return (offset, lineCount)
    }

    /// Reads what was appended, up to `limit` bytes, and scans its whole lines; returns
    /// the bytes read (0 at the end of the file for now).
    func readAppended(limit: Int, now: Double, report: (Finding) throws -> Void) throws -> Int {
        var total = 0
        while total < limit {
            let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError.system("cannot read", errno: errno)
            }
            if count == 0 { break }
            total += count
            lastGrowth = now
            pending += block[..<count]
            try scanWholeLines(report: report)
        }
        identity.extend(descriptor)
        return total
    }

    /// Scans a last line that has no newline yet (after an idle time), and ends open
    /// events, so their findings do not wait for more input.
    func flush(report: (Finding) throws -> Void) throws {
        if !pending.isEmpty {
            pending.append(0x0A)  // ends the line for the scan; not a byte of the file
            try scanWholeLines(report: report)
            offset -= 1
        }
        try detector.finishInput(report: report)
    }

    /// Starts scanning with new rules (after a reload): what the old detector holds is
    /// finished first.
    func replaceRules(_ rules: RuleSet, options: Detector.Options, report: (Finding) throws -> Void) throws {
        try detector.finishInput(report: report)
        detector = Detector(rules: rules, options: options)
    }

    private func scanWholeLines(report: (Finding) throws -> Void) throws {
        var end = pending.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        if end == 0, pending.count > maxLineBytes { end = pending.count }  // a line over the cap: scanned as it is
        guard end > 0 else { return }
        try pending.withUnsafeBytes { bytes in
            let chunk = Chunk(bytes: UnsafeRawBufferPointer(rebasing: bytes[..<end]), firstLineNumber: lineCount + 1,
                              byteOffset: offset, piece: nil)
            try detector.scan(chunk, source: source, report: report)
        }
        lineCount += pending[..<end].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        if pending[end - 1] != 0x0A { lineCount += 1 }
        offset += end
        pending.removeFirst(end)
    }
}
