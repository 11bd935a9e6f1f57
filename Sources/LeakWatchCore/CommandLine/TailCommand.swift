import FoundationEssentials
import Glibc

/// The options of `leakwatch tail`.
public struct TailArguments: Equatable, Sendable {
    /// Files or globs to follow.
    public var patterns: [String] = []
    public var statePath: String?
    public var startAtEnd = true
    /// Append alerts to this file instead of writing them to standard output.
    public var outputPath: String?
    public var format = ScanArguments.Format.jsonl
    public var polling = false
    public var idleTimeout = 1.0
    public var foldWindow = 60.0
    /// Which rules run.
    public var rules = RuleChoice()
    public var showSecrets = false
    public var maxLineBytes = LineReader.defaultMaxLineBytes

    public init() {}

    static func seconds(_ option: String, _ value: String, allowZero: Bool) throws(ArgumentError) -> Double {
        guard let seconds = Double(value), seconds.isFinite, seconds > 0 || (allowZero && seconds == 0), seconds <= 86_400 else {
            throw .invalidValue(option: option, value: value, expected: "a number of seconds\(allowZero ? " (0 for none)" : ""), at most 86400")
        }
        return seconds
    }

    static let command = CommandSpec<TailArguments>(
        name: "tail",
        overview: "Follow logs like tail -F, through rotation, truncation and restarts, and write each leak as it is logged.",
        usage: "leakwatch tail [<options>] <path-or-glob> ...",
        argumentHelp: [("<path-or-glob>", "Files to follow; a glob (quoted: 'logs/*.log') also picks up files that appear later. A file that does not exist yet is waited for.")],
        options: [
            OptionSpec("state", value: "file",
                       help: "Save each file's identity and offset in <file> (atomically, after the alerts before it are written) and resume from it on restart.") {
                arguments, value in arguments.statePath = value
            },
            OptionSpec("from-start", help: "Read files that exist at start from their beginning.") { arguments, _ in arguments.startAtEnd = false },
            OptionSpec("from-end", help: "Read files that exist at start from their end (default; files that appear later, and files in the state, are read from their start or saved offset).") {
                arguments, _ in arguments.startAtEnd = true
            },
            OptionSpec(short: "o", "output", value: "file",
                       help: "Append alerts to <file>, flushed per alert; SIGHUP reopens it (for logrotate). (default: standard output)") {
                arguments, value in arguments.outputPath = value
            },
            SharedOptions.format(\.format, allowed: [.jsonl, .text], default: .jsonl),
            OptionSpec("poll", help: "Look at the files four times a second instead of using inotify (for file systems without it).") {
                arguments, _ in arguments.polling = true
            },
            OptionSpec("idle-timeout", value: "seconds",
                       help: "After <seconds> without new data, scan a last line without newline and report open tracebacks. (default: 1)") {
                arguments, value throws(ArgumentError) in arguments.idleTimeout = try seconds("--idle-timeout", value, allowZero: false)
            },
            OptionSpec("fold-window", value: "seconds",
                       help: "Fold repeats of one finding (same fingerprint) within <seconds> into the first, with a roll-up record when the window closes; 0 reports every one. (default: 60)") {
                arguments, value throws(ArgumentError) in arguments.foldWindow = try seconds("--fold-window", value, allowZero: true)
            },
        ] + RuleChoice.options(\.rules) + [
            SharedOptions.showSecrets(\.showSecrets),
            SharedOptions.maxLineBytes(\.maxLineBytes, help: "Scan a line longer than <size> as it is once it reaches that size. (default: 1M)"),
        ],
        positional: { arguments, pattern throws(ArgumentError) in arguments.patterns.append(pattern) }
    )
}

/// Runs `leakwatch tail`.
enum TailCommand {
    static func run(_ arguments: TailArguments, io: LeakWatchCommand.IO) -> ExitStatus {
        guard !arguments.patterns.isEmpty else {
            return LeakWatchCommand.usageError(.missingArgument("<path-or-glob>"), usage: TailArguments.command.usage,
                                               help: "leakwatch tail --help", io: io)
        }
        func loadRules() -> RuleSet? {
            arguments.rules.load(standardError: io.standardError)
        }
        guard let rules = loadRules() else { return .error }
        guard let sink = makeSink(arguments, io: io) else { return .error }
        var options = Follower.Options()
        options.statePath = arguments.statePath
        options.startAtEnd = arguments.startAtEnd
        options.polling = arguments.polling
        options.idleTimeout = arguments.idleTimeout
        options.foldWindow = arguments.foldWindow
        options.maxLineBytes = arguments.maxLineBytes
        options.detector.showSecrets = arguments.showSecrets
        options.detector.maxLineBytes = arguments.maxLineBytes
        if arguments.statePath != nil, let output = arguments.outputPath {
            options.alreadyReported = reportedFindings(in: output)
        }
        let follower = Follower(patterns: arguments.patterns, rules: rules, options: options, sink: sink,
                                reloadRules: loadRules, reopenSink: { makeSink(arguments, io: io) })
        do {
            try follower.run()
            return .clean
        } catch let error as OutputError where error.isBrokenPipe {
            return .clean
        } catch let error as InputError {
            LeakWatchCommand.write("leakwatch: \(arguments.statePath.map { "\($0): " } ?? "")error: \(error)\n", to: io.standardError)
            return .error
        } catch {
            LeakWatchCommand.write("leakwatch: error: \(error)\n", to: io.standardError)
            return .error
        }
    }

    /// The sink alerts go to: standard output, or `--output` opened for appending.
    static func makeSink(_ arguments: TailArguments, io: LeakWatchCommand.IO) -> (any AlertSink)? {
        var output = io.standardOutput
        if let path = arguments.outputPath {
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else {
                LeakWatchCommand.write("leakwatch: \(path): error: cannot open for appending: \(systemMessage(errno))\n", to: io.standardError)
                return nil
            }
            output = OutputStream(descriptor: descriptor)
        }
        switch arguments.format {
        case .jsonl:
            return StandardErrorDiagnostics(JSONLinesSink(output: output) { _ in 0 }, standardError: io.standardError)
        case .text, .sarif:
            return StandardErrorDiagnostics(TextSink(output: output, useColor: false), standardError: io.standardError)
        }
    }

    /// The findings already in the JSON Lines file at `path` (its last 8 MiB), so a restart
    /// after a crash between writing an alert and saving the state does not repeat it.
    static func reportedFindings(in path: String) -> Set<String> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        let size = Int(lseek(descriptor, 0, SEEK_END))
        guard size > 0 else { return [] }
        let start = max(0, size - (8 << 20))
        var data = [UInt8](repeating: 0, count: size - start)
        var filled = 0
        while filled < data.count {
            let read = data.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(start + filled)) }
            if read <= 0 { break }
            filled += read
        }
        data.removeSubrange(filled...)
        var keys: Set<String> = []
        for line in data.split(separator: 0x0A) {
            guard let record = try? JSONDecoder().decode(JSONLinesRecord.self, from: Data(line)),
                  case .finding(let finding) = record else { continue }
            keys.insert(Follower.reportKey(path: finding.path, byteOffset: finding.byteOffset, ruleID: finding.ruleID))
        }
        return keys
    }
}
