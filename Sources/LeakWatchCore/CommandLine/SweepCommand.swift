import FoundationEssentials
import Glibc

/// The options of `leakwatch sweep`.
public struct SweepArguments: Equatable, Sendable {
    public var roots: [String] = []
    public var statePath: String?
    public var include: [String] = []
    public var exclude: [String] = []
    public var format = ScanArguments.Format.text
    public var outputPath: String?
    public var failOn: Severity? = .low
    /// Files swept at once. This is the number of cores by default.
    public var threads = ScanArguments.defaultThreads
    /// Which rules run.
    public var rules = RuleChoice()
    public var showSecrets = false
    public var follow = false

    public init() {}

    static let command = CommandSpec<SweepArguments>(
        name: "sweep",
        overview: "Sweep log trees, rotated and compressed copies included, reading only what is new since the last sweep.",
        usage: "leakwatch sweep --state <file> [<options>] <path> ...",
        argumentHelp: [("<path>", "Directories (walked recursively; links to directories are not followed, links to files outside the tree only with --follow) or files to sweep.")],
        options: [
            OptionSpec("state", value: "file",
                       help: "Where the last sweep stopped in each content (required); written atomically at the end.") {
                arguments, value in arguments.statePath = value
            },
            OptionSpec("include", value: "glob", help: "Only sweep files whose name or path matches <glob> (repeatable).") {
                arguments, value in arguments.include.append(value)
            },
            OptionSpec("exclude", value: "glob", help: "Never sweep files whose name or path matches <glob> (repeatable).") {
                arguments, value in arguments.exclude.append(value)
            },
            SharedOptions.format(\.format, allowed: [.text, .jsonl, .sarif], default: .text),
            OptionSpec("follow", help: "Also read files that links in the trees point to outside them.") { arguments, _ in arguments.follow = true },
            OptionSpec(short: "o", "output", value: "file", help: "Write to <file> instead of standard output.") {
                arguments, value in arguments.outputPath = value
            },
            SharedOptions.failOn(\.failOn),
            SharedOptions.threads(\.threads, help: "Files swept at once."),
        ] + RuleChoice.options(\.rules) + [
            SharedOptions.showSecrets(\.showSecrets),
        ],
        positional: { arguments, path throws(ArgumentError) in arguments.roots.append(path) }
    )
}

/// Runs `leakwatch sweep`.
enum SweepCommand {
    /// What the text format adds after the findings: files and bytes swept, findings by
    /// rule and by file (most first), files skipped and why.
    static func summaryText(_ report: Sweeper.Report) -> String {
        var text = "swept \(report.filesRead) file\(report.filesRead == 1 ? "" : "s") with new content (\(report.summary.bytes) bytes), "
            + "\(report.filesAlreadySwept) already swept\n"
        func table(_ title: String, _ counts: [String: Int]) {
            guard !counts.isEmpty else { return }
            text += title + ":\n"
            for (name, count) in counts.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
                text += "  \(String(count).padded(to: 6)) \(Excerpt.escaped(name))\n"
            }
        }
        table("findings by rule", report.findingsByRule)
        table("findings by file", report.findingsByFile)
        if !report.skipped.isEmpty {
            text += "skipped:\n" + report.skipped.map { "  \(Excerpt.escaped($0.path)): \($0.reason)\n" }.joined()
        }
        return text
    }

    static func run(_ arguments: SweepArguments, io: LeakWatchCommand.IO) -> ExitStatus {
        let usage = SweepArguments.command.usage
        guard let statePath = arguments.statePath else {
            return LeakWatchCommand.usageError(.missingArgument("--state <file>"), usage: usage, help: "leakwatch sweep --help", io: io)
        }
        guard !arguments.roots.isEmpty else {
            return LeakWatchCommand.usageError(.missingArgument("<path>"), usage: usage, help: "leakwatch sweep --help", io: io)
        }
        guard let rules = arguments.rules.load(standardError: io.standardError) else { return .error }
        var output = io.standardOutput
        if let path = arguments.outputPath {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else {
                LeakWatchCommand.write("leakwatch: \(path): error: cannot open for writing: \(systemMessage(errno))\n", to: io.standardError)
                return .error
            }
            output = OutputStream(descriptor: descriptor)
        }
        var options = Sweeper.Options(statePath: statePath)
        options.include = arguments.include
        options.exclude = arguments.exclude
        options.threads = arguments.threads
        options.followLinksOut = arguments.follow
        options.scanner.detector.showSecrets = arguments.showSecrets
        let sweeper = Sweeper(rules: rules, options: options)
        let progress = isatty(STDERR_FILENO) == 1 && io.standardError.isTerminal ? io.standardError : nil
        do {
            let report: Sweeper.Report
            switch arguments.format {
            case .jsonl:
                var sink = StandardErrorDiagnostics(
                    JSONLinesSink(output: output) { ExitStatus.of($0, failOn: arguments.failOn).rawValue }, standardError: io.standardError)
                report = try sweeper.run(roots: arguments.roots, into: &sink, progress: progress)
            case .sarif:
                var sink = StandardErrorDiagnostics(SARIFSink(output: output), standardError: io.standardError)
                report = try sweeper.run(roots: arguments.roots, into: &sink, progress: progress)
            case .text:
                var sink = StandardErrorDiagnostics(TextSink(output: output, useColor: false), standardError: io.standardError)
                report = try sweeper.run(roots: arguments.roots, into: &sink, progress: progress)
                try output.write(summaryText(report))
                try output.flush()
            }
            // The text summary lists them; other formats are for machines, so say it on stderr.
            for (path, reason) in report.skipped where arguments.format != .text {
                LeakWatchCommand.write("leakwatch: \(Excerpt.escaped(path)): skipped: \(reason)\n", to: io.standardError)
            }
            return ExitStatus.of(report.summary, failOn: arguments.failOn)
        } catch let error as OutputError where error.isBrokenPipe {
            return .clean
        } catch let error as InputError {
            LeakWatchCommand.write("leakwatch: \(statePath): error: \(error)\n", to: io.standardError)
            return .error
        } catch {
            LeakWatchCommand.write("leakwatch: error: \(error)\n", to: io.standardError)
            return .error
        }
    }
}
