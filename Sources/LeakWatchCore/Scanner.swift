import Dispatch

/// The façade that runs a scan: paths to sources, sources to lines, lines to findings,
/// findings to a sink.
///
/// A problem with one input (it cannot be opened, its gzip data is corrupt, a rule hits
/// its match limit on it) becomes a ``Diagnostic`` and the scan goes on with the rest;
/// only a failure to write output stops it.
///
/// ```swift
/// let scanner = Scanner(rules: try RuleSet.builtin().get())
/// var sink = CollectingSink()
/// let summary = try scanner.scan(paths: ["samples/"], into: &sink)
/// ```
///
/// - Complexity: O(n) in the bytes read (see ``Detector``); memory is bounded by the
///   read buffer and line cap per thread, not by the input's size.
public final class Scanner {
    public struct Options: Sendable {
        /// The line cap (`--max-line-bytes`). This is 1 MiB by default.
        public var maxLineBytes = LineReader.defaultMaxLineBytes
        /// The line reader's initial buffer. This is 256 KiB by default.
        public var bufferSize = LineReader.defaultBufferSize
        public var detector = Detector.Options()
        /// The descriptor `-` reads. This is standard input by default.
        public var standardInput: Int32 = 0
        /// What every input holds (`--input`); nil, the default, tells it from each
        /// input's first bytes.
        public var inputKind: InputKind?
        /// The most bytes a compressed HTTP body is decoded to (`--max-body-bytes`). This
        /// is 64 MiB by default.
        public var maxBodyBytes = 64 << 20
        /// Threads scanning at once: files in parallel, a large log in ranges. This is 1
        /// by default.
        public var threads = 1
        /// The smallest range a plain log is split into when `threads` is above 1; only a
        /// log at least twice this size is split, into at most 8 ranges a thread. This is
        /// 8 MiB by default: a range costs a few reads and a detector to start.
        public var splitMinimum = 8 << 20

        public init() {}
    }

    public let rules: RuleSet
    public let options: Options
    let detector: Detector

    public init(rules: RuleSet, options: Options = Options()) {
        self.rules = rules
        self.options = options
        var detectorOptions = options.detector
        detectorOptions.maxLineBytes = options.maxLineBytes
        self.detector = Detector(rules: rules, options: detectorOptions)
    }

    /// Scans every path in order (`-` is standard input; directories are walked), then
    /// calls the sink's `finish` with the summary, which it also returns.
    ///
    /// - Throws: only what the sink throws (output that cannot be written).
    @discardableResult
    public func scan(paths: [String], into sink: inout some AlertSink) throws -> ScanSummary {
        var summary = ScanSummary()
        try scan(paths: paths, into: &sink, summary: &summary)
        return summary
    }

    /// Scans every path in order, counting into `summary`, which keeps what was counted
    /// even when the sink throws part way (so a closed pipe still gets a true exit status).
    public func scan(paths: [String], into sink: inout some AlertSink, summary: inout ScanSummary) throws {
        let started = DispatchTime.now()
        if options.threads > 1 {
            try scanInParallel(paths: paths, into: &sink, summary: &summary)
        } else {
            for path in paths {
                try PathWalker.walk(path) { item throws in
                    switch item {
                    case .file(let file):
                        try scan(path: file, into: &sink, summary: &summary)
                    case .skipped:
                        break
                    case .failure(let failed, let message):
                        summary.errors += 1
                        try sink.diagnose(Diagnostic(path: displayName(failed), message: message))
                    }
                }
            }
        }
        summary.elapsedSeconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        try sink.finish(summary)
    }

    /// Opens and scans one file (or `-`), adding to `summary`.
    public func scan(path: String, into sink: inout some AlertSink, summary: inout ScanSummary) throws {
        let opened: (source: any ByteSource, info: SourceInfo)
        do {
            opened = path == SourceOpener.standardInputPath
                ? try SourceOpener.sniff(FileDescriptorSource(descriptor: options.standardInput, ownsDescriptor: false),
                                         name: SourceInfo.standardInputName)
                : try SourceOpener.open(path: path)
        } catch {
            summary.errors += 1
            try sink.diagnose(Diagnostic(path: displayName(path), message: error.message))
            return
        }
        try scan(opened.source, info: opened.info, into: &sink, summary: &summary)
    }

    /// Scans one byte source, adding to `summary`: a log, a captured HTTP stream or a HAR
    /// file, as `kind` says or, when it is nil, as the first bytes show.
    ///
    /// - Parameters:
    ///   - lineOffset: lines of the input before `source` (a sweep resuming), added to
    ///     every log finding's line. This is 0 by default.
    ///   - byteOffset: bytes of the input before `source`, likewise.
    public func scan(_ source: any ByteSource, info: SourceInfo, kind: InputKind? = nil,
                     into sink: inout some AlertSink, summary: inout ScanSummary,
                     lineOffset: Int = 0, byteOffset: Int = 0) throws {
        let findingsBefore = summary.findings
        summary.inputs += 1
        defer { if summary.findings > findingsBefore { summary.inputsWithFindings += 1 } }
        var source = source
        var kind = kind ?? options.inputKind
        if kind == nil {
            do {
                (kind, source) = try InputKind.detect(source)
            } catch {
                try diagnose(error, in: info, line: 1, into: &sink, summary: &summary)
                return
            }
        }
        switch kind ?? .log {
        case .log:
            let part = try scanPart(source, info: info, context: .log, status: nil, into: &sink, summary: &summary) { finding in
                finding.line += lineOffset
                finding.byteOffset += byteOffset
                if var event = finding.event {
                    event.endLine += lineOffset
                    finding.event = event
                }
            }
            summary.bytes += part.bytes
            summary.lines += part.lines
            if let error = part.readError {
                try diagnose(error, in: info, line: part.lines + 1, suffix: "; the data before it was scanned", into: &sink, summary: &summary)
            }
        case .http:
            try scanCapture(source, info: info, into: &sink, summary: &summary)
        case .har:
            try scanHAR(source, info: info, into: &sink, summary: &summary)
        }
        try reportMatchFailures(into: &sink, summary: &summary)
    }

    /// What ``scanPart(_:info:context:status:into:summary:place:)`` read.
    struct PartResult {
        var bytes = 0
        var lines = 0
        var readError: InputError?
    }

    /// Scans the lines of `source`, one input or one part of one (a message's headers or
    /// body), in `context`; `place` sets where each finding is before it is reported.
    func scanPart(_ source: any ByteSource, info: SourceInfo, context: RuleContext, status: Int?,
                  into sink: inout some AlertSink, summary: inout ScanSummary,
                  place: (inout Finding) -> Void) throws -> PartResult {
        let reader = LineReader(source: source, bufferSize: options.bufferSize, maxLineBytes: options.maxLineBytes)
        var result = PartResult()
        func report(_ found: Finding) throws {
            var finding = found
            place(&finding)
            summary.count(finding)
            try sink.report(finding)
        }
        while true {
            let chunk: Chunk?
            do {
                chunk = try reader.nextChunk()
            } catch {
                result.readError = error
                break
            }
            guard let chunk else { break }
            try detector.scan(chunk, source: info, context: context, status: status, report: report)
        }
        try detector.finishInput(report: report)
        result.bytes = reader.bytesRead
        result.lines = reader.lineCount
        summary.truncatedLines += reader.truncatedLineCount
        return result
    }

    /// Reports `error`, read from the input `info` at `line`, and counts it.
    func diagnose(_ error: InputError, in info: SourceInfo, line: Int?, prefix: String = "", suffix: String = "",
                  into sink: inout some AlertSink, summary: inout ScanSummary) throws {
        summary.errors += 1
        try sink.diagnose(Diagnostic(path: info.name, line: error.line ?? line, column: error.column,
                                     message: prefix + error.message + suffix))
    }

    func reportMatchFailures(into sink: inout some AlertSink, summary: inout ScanSummary) throws {
        for failure in detector.takeMatchFailures() {
            summary.errors += 1
            let lines = failure.count == 1 ? "this line" : "this and \(failure.count - 1) more lines"
            try sink.diagnose(Diagnostic(path: failure.path, line: failure.line,
                                         message: "rule '\(failure.ruleID)' stopped: \(failure.error); \(lines) not fully checked by it"))
        }
    }

    func displayName(_ path: String) -> String {
        path == SourceOpener.standardInputPath ? SourceInfo.standardInputName : path
    }
}
