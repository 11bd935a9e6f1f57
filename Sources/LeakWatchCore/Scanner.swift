import Foundation

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
public final class Scanner {
    public struct Options: Sendable {
        /// The line cap (`--max-line-bytes`). This is 1 MiB by default.
        public var maxLineBytes = LineReader.defaultMaxLineBytes
        /// The line reader's initial buffer. This is 64 KiB by default.
        public var bufferSize = LineReader.defaultBufferSize
        public var detector = Detector.Options()
        /// The descriptor `-` reads. This is standard input by default.
        public var standardInput: Int32 = 0

        public init() {}
    }

    public let rules: RuleSet
    public let options: Options
    private let detector: Detector

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
        for path in paths {
            try PathWalker.walk(path) { item throws in
                switch item {
                case .file(let file):
                    try scan(path: file, into: &sink, summary: &summary)
                case .failure(let failed, let message):
                    summary.errors += 1
                    try sink.diagnose(Diagnostic(path: displayName(failed), message: message))
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

    /// Scans one byte source, adding to `summary`. By default the input's first line
    /// decides whether it is a captured HTTP response stream or a log.
    public func scan(_ source: any ByteSource, info: SourceInfo, as kind: Detector.InputKind = .sniff,
                     into sink: inout some AlertSink, summary: inout ScanSummary) throws {
        let reader = LineReader(source: source, bufferSize: options.bufferSize, maxLineBytes: options.maxLineBytes)
        let findingsBefore = summary.findings
        summary.inputs += 1
        var readError: InputError?
        while true {
            let chunk: Chunk?
            do {
                chunk = try reader.nextChunk()
            } catch {
                readError = error
                break
            }
            guard let chunk else { break }
            try detector.scan(chunk, source: info, as: kind) { finding in
                summary.count(finding)
                try sink.report(finding)
            }
        }
        try detector.finishInput { finding in
            summary.count(finding)
            try sink.report(finding)
        }
        summary.bytes += reader.bytesRead
        summary.lines += reader.lineCount
        summary.truncatedLines += reader.truncatedLineCount
        if summary.findings > findingsBefore { summary.inputsWithFindings += 1 }

        for failure in detector.takeMatchFailures() {
            summary.errors += 1
            let lines = failure.count == 1 ? "this line" : "this and \(failure.count - 1) more lines"
            try sink.diagnose(Diagnostic(path: failure.path, line: failure.line,
                                         message: "rule '\(failure.ruleID)' stopped: \(failure.error); \(lines) not fully checked by it"))
        }
        if let readError {
            summary.errors += 1
            try sink.diagnose(Diagnostic(path: info.name, line: reader.lineCount + 1,
                                         message: readError.message + "; the data before it was scanned"))
        }
    }

    private func displayName(_ path: String) -> String {
        path == SourceOpener.standardInputPath ? SourceInfo.standardInputName : path
    }
}
