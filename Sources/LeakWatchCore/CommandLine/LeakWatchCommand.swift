import Glibc

/// The `leakwatch` program: parses argv, runs the command, and returns the exit status.
/// Every error becomes one of the four statuses here, in one place.
public enum LeakWatchCommand {
    public static let version = "0.1.0"

    /// Where the program reads and writes; tests pass pipes and files.
    public struct IO {
        public var standardOutput: OutputStream
        public var standardError: OutputStream
        public var standardInput: Int32

        public init(standardOutput: OutputStream = OutputStream(descriptor: STDOUT_FILENO),
                    standardError: OutputStream = OutputStream(descriptor: STDERR_FILENO),
                    standardInput: Int32 = STDIN_FILENO) {
            self.standardOutput = standardOutput
            self.standardError = standardError
            self.standardInput = standardInput
        }
    }

    /// Runs `leakwatch` with `argv` (without the program name) and returns the exit status.
    public static func main(_ argv: [String], io: IO = IO()) -> Int32 {
        let status = run(argv, io: io)
        try? io.standardOutput.flush()
        try? io.standardError.flush()
        return status.rawValue
    }

    static let topLevelHelp = """
        OVERVIEW: Find evidence that servers leak debug output: Werkzeug's interactive
        debugger, tracebacks, framework debug pages, paths, config and secrets.

        USAGE: leakwatch <command> [<options>]

        COMMANDS:
          scan [<path> ...]      Scan files, directories or standard input.
          tail <path-or-glob>... Follow logs through rotation; alert as leaks are logged.
          sweep --state <file> <path>...
                                 Sweep log trees, rotated copies too; only what is new.
          rules list             List the rules a scan runs.
          rules test [<path>]    Check rules against their examples and look-alikes.

          See 'leakwatch <command> --help' for the options of a command.

        OPTIONS:
          --version              Show the version, with PCRE2's and whether JIT works.
          -h, --help             Show help information.

        """ + ExitStatus.helpText + "\n"

    private static func run(_ argv: [String], io: IO) -> ExitStatus {
        guard let first = argv.first else {
            return usageError(.missingCommand, usage: "leakwatch <command> [<options>]", help: "leakwatch --help", io: io)
        }
        switch first {
        case "-h", "--help", "help":
            write(topLevelHelp, to: io.standardOutput)
            return .clean
        case "--version":
            write(versionText, to: io.standardOutput)
            return .clean
        case "scan":
            return runCommand(ScanArguments.command, Array(argv.dropFirst()), initial: ScanArguments(), io: io) {
                scan($0, io: io)
            }
        case "tail":
            return runCommand(TailArguments.command, Array(argv.dropFirst()), initial: TailArguments(), io: io) {
                TailCommand.run($0, io: io)
            }
        case "sweep":
            return runCommand(SweepArguments.command, Array(argv.dropFirst()), initial: SweepArguments(), io: io) {
                SweepCommand.run($0, io: io)
            }
        case "rules":
            let rest = Array(argv.dropFirst())
            switch rest.first {
            case "list":
                return runCommand(RulesArguments.listCommand, Array(rest.dropFirst()), initial: RulesArguments(), io: io) {
                    RulesCommands.list($0, io: io)
                }
            case "test":
                return runCommand(RulesArguments.testCommand, Array(rest.dropFirst()), initial: RulesArguments(), io: io) {
                    RulesCommands.test($0, io: io)
                }
            case "-h", "--help":
                write(topLevelHelp, to: io.standardOutput)
                return .clean
            case let other:
                let error: ArgumentError = other.map { .unknownCommand("rules \($0)", suggestion: closestMatch(to: $0, in: ["list", "test"]).map { "rules \($0)" }) } ?? .missingCommand
                return usageError(error, usage: "leakwatch rules list|test [<options>]", help: "leakwatch --help", io: io)
            }
        default:
            let suggestion = closestMatch(to: first, in: ["scan", "tail", "sweep", "rules"])
            return usageError(first.hasPrefix("-") ? .unknownOption(first, suggestion: nil) : .unknownCommand(first, suggestion: suggestion),
                              usage: "leakwatch <command> [<options>]", help: "leakwatch --help", io: io)
        }
    }

    private static func runCommand<A>(_ command: CommandSpec<A>, _ argv: [String], initial: A, io: IO,
                                      _ body: (A) -> ExitStatus) -> ExitStatus {
        var arguments = initial
        do {
            guard try command.parse(argv, into: &arguments) else {
                write(command.helpText + "\n" + ExitStatus.helpText + "\n", to: io.standardOutput)
                return .clean
            }
        } catch {
            return usageError(error, usage: command.usage, help: "leakwatch \(command.name) --help", io: io)
        }
        return body(arguments)
    }

    static func usageError(_ error: ArgumentError, usage: String, help: String, io: IO) -> ExitStatus {
        write("Error: \(error)\nUsage: \(usage)\n  See '\(help)' for more information.\n", to: io.standardError)
        return .usage
    }

    static var versionText: String {
        "leakwatch \(version)\nPCRE2 \(PCRE2Library.version) (JIT \(PCRE2Library.isJITAvailable ? "available" : "unavailable"))\n"
    }

    static func write(_ text: String, to stream: OutputStream) {
        try? stream.write(text)
        try? stream.flush()
    }

    static func scan(_ arguments: ScanArguments, io: IO) -> ExitStatus {
        var paths = arguments.paths
        if paths.isEmpty {
            if isatty(io.standardInput) == 1 {
                return usageError(.noInput, usage: ScanArguments.command.usage, help: "leakwatch scan --help", io: io)
            }
            paths = [SourceOpener.standardInputPath]
        }
        guard let rules = arguments.rules.load(standardError: io.standardError) else {
            return .error
        }
        var options = Scanner.Options()
        options.maxLineBytes = arguments.maxLineBytes
        options.inputKind = arguments.inputKind
        options.maxBodyBytes = arguments.maxBodyBytes
        options.detector.showSecrets = arguments.showSecrets
        options.standardInput = io.standardInput
        options.threads = arguments.threads
        let scanner = Scanner(rules: rules, options: options)
        var summary = ScanSummary()
        do {
            switch arguments.format {
            case .jsonl:
                var sink = StandardErrorDiagnostics(
                    JSONLinesSink(output: io.standardOutput) { ExitStatus.of($0, failOn: arguments.failOn).rawValue },
                    standardError: io.standardError)
                try scanner.scan(paths: paths, into: &sink, summary: &summary)
            case .sarif:
                var sink = StandardErrorDiagnostics(SARIFSink(output: io.standardOutput), standardError: io.standardError)
                try scanner.scan(paths: paths, into: &sink, summary: &summary)
            case .text:
                let color = TextSink.shouldUseColor(for: io.standardOutput, mode: arguments.color)
                var sink = StandardErrorDiagnostics(TextSink(output: io.standardOutput, useColor: color),
                                                    standardError: io.standardError)
                try scanner.scan(paths: paths, into: &sink, summary: &summary)
            }
        } catch let error as OutputError where error.isBrokenPipe {
            // The reader went away (`| head`): stop quietly; the status tells what was found.
        } catch {
            write("leakwatch: error: \(error)\n", to: io.standardError)
            return .error
        }
        return ExitStatus.of(summary, failOn: arguments.failOn)
    }
}
