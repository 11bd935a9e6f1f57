import FoundationEssentials

/// The options of `leakwatch scan`, validated but not yet acted on: rules are loaded and
/// files opened later.
public struct ScanArguments: Equatable, Sendable {
    public enum Format: String, CaseIterable, Sendable {
        case text, jsonl, sarif
    }

    /// Paths to scan; empty means standard input.
    public var paths: [String] = []
    public var format = Format.text
    /// Findings at or above this severity make the exit status 1; nil (`none`) means
    /// findings never do. This is `low` by default.
    public var failOn: Severity? = .low
    /// Which rules run.
    public var rules = RuleChoice()
    /// Threads scanning at once (`-j`): files in parallel, a large file in ranges. This
    /// is the number of cores by default.
    public var threads = ScanArguments.defaultThreads
    public var showSecrets = false
    public var maxLineBytes = LineReader.defaultMaxLineBytes
    public var color = TextSink.ColorMode.auto
    /// What every input holds; nil (`auto`, the default) tells it from each input.
    public var inputKind: InputKind?
    /// The most bytes a compressed HTTP body is decoded to. This is 64 MiB by default.
    public var maxBodyBytes = 64 << 20

    public init() {}

    /// The number of cores this process may run on, at least 1.
    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

/// The options of `leakwatch rules list` and `leakwatch rules test`.
public struct RulesArguments: Equatable, Sendable {
    /// For `list`: the rules to list. For `test`: its `ruleFiles` are the files to test
    /// (the built-in rules when empty).
    public var rules = RuleChoice()

    public init() {}
}

/// Option rows shared by several commands.
enum SharedOptions {
    static func failOn<A>(_ keyPath: WritableKeyPath<A, Severity?> & Sendable) -> OptionSpec<A> {
        OptionSpec("fail-on", value: "severity",
                   help: "Exit 1 only for findings at or above <severity>: info, low, medium, high, critical, or none. (default: low)") {
            arguments, value throws(ArgumentError) in
            if value == "none" { arguments[keyPath: keyPath] = nil; return }
            guard let severity = Severity(rawValue: value) else {
                throw .invalidValue(option: "--fail-on", value: value, expected: "info, low, medium, high, critical or none")
            }
            arguments[keyPath: keyPath] = severity
        }
    }

    static func showSecrets<A>(_ keyPath: WritableKeyPath<A, Bool> & Sendable) -> OptionSpec<A> {
        OptionSpec("show-secrets", help: "Print secrets in clear. By default every secret is masked in every format.") {
            arguments, _ in arguments[keyPath: keyPath] = true
        }
    }

    static func format<A>(_ keyPath: WritableKeyPath<A, ScanArguments.Format> & Sendable, allowed: [ScanArguments.Format],
                          default fallback: ScanArguments.Format, help: String = "") -> OptionSpec<A> {
        let names = allowed.map(\.rawValue)
        let expected = names.dropLast().joined(separator: ", ") + (names.count > 1 ? " or " : "") + (names.last ?? "")
        return OptionSpec(short: "f", "format", value: "format",
                          help: "Output format: \(names.joined(separator: ", "))\(help). (default: \(fallback.rawValue))") {
            arguments, value throws(ArgumentError) in
            guard let format = ScanArguments.Format(rawValue: value), allowed.contains(format) else {
                throw .invalidValue(option: "--format", value: value, expected: expected)
            }
            arguments[keyPath: keyPath] = format
        }
    }

    static func maxLineBytes<A>(_ keyPath: WritableKeyPath<A, Int> & Sendable, help: String) -> OptionSpec<A> {
        OptionSpec("max-line-bytes", value: "size", help: help) { arguments, value throws(ArgumentError) in
            guard let bytes = ScanArguments.parseSize(value), bytes >= 16, bytes <= 1 << 30 else {
                throw .invalidValue(option: "--max-line-bytes", value: value, expected: "a size from 16 to 1G, e.g. 512K")
            }
            arguments[keyPath: keyPath] = bytes
        }
    }

    static func threads<A>(_ keyPath: WritableKeyPath<A, Int> & Sendable, help: String) -> OptionSpec<A> {
        OptionSpec(short: "j", "threads", value: "n", help: help + " (default: the number of cores)") {
            arguments, value throws(ArgumentError) in
            guard let threads = Int(value), (1...256).contains(threads) else {
                throw .invalidValue(option: "--threads", value: value, expected: "a number from 1 to 256")
            }
            arguments[keyPath: keyPath] = threads
        }
    }

    /// The categories named in `value` (comma-separated).
    static func categories(_ value: String) throws(ArgumentError) -> [Category] {
        var found: [Category] = []
        for name in value.split(separator: ",") {
            guard let category = Category(rawValue: String(name)) else {
                let names = Category.allCases.map(\.rawValue)
                let hint = closestMatch(to: String(name), in: names).map { "'\($0)' (did you mean it?) or one of " } ?? ""
                throw .invalidValue(option: "--category", value: String(name), expected: hint + names.joined(separator: ", "))
            }
            found.append(category)
        }
        return found
    }
}

extension ScanArguments {
    static let command = CommandSpec<ScanArguments>(
        name: "scan",
        overview: "Find leaked debuggers, tracebacks, debug pages and secrets in logs and captured HTTP responses.",
        usage: "leakwatch scan [<options>] [<path> ...]",
        argumentHelp: [("<path>", "Files or directories (walked recursively) to scan; '-' or none reads standard input. gzip, zstd, bzip2 and xz data is decompressed whatever the file is called. An input that starts with an HTTP status line (curl -si output) is read as HTTP responses, one that is a JSON object with a \"log\" member as a HAR file, anything else as a log.")],
        options: [
            SharedOptions.format(\.format, allowed: [.text, .jsonl, .sarif], default: .text,
                                 help: " (SARIF 2.1.0, for code-scanning dashboards)"),
            SharedOptions.failOn(\.failOn),
            SharedOptions.threads(\.threads, help: "Threads scanning at once: files in parallel, a large log in ranges split at line ends."),
        ] + RuleChoice.options(\.rules) + [
            SharedOptions.showSecrets(\.showSecrets),
            SharedOptions.maxLineBytes(\.maxLineBytes,
                                       help: "Scan lines longer than <size> (e.g. 65536, 512K, 1M) in overlapping pieces, so memory stays bounded. (default: 1M)"),
            OptionSpec("input", value: "kind",
                       help: "What the inputs hold: auto (told from each input's first bytes), log, http (curl -si output), har. (default: auto)") {
                arguments, value throws(ArgumentError) in
                if value == "auto" { arguments.inputKind = nil; return }
                guard let kind = InputKind(rawValue: value) else {
                    throw .invalidValue(option: "--input", value: value, expected: "auto, log, http or har")
                }
                arguments.inputKind = kind
            },
            OptionSpec("max-body-bytes", value: "size",
                       help: "Decode a compressed HTTP body to at most <size> bytes; a larger one is reported as an error, not followed (a compression bomb). (default: 64M)") {
                arguments, value throws(ArgumentError) in
                guard let bytes = parseSize(value), bytes >= 1, bytes <= 1 << 40 else {
                    throw .invalidValue(option: "--max-body-bytes", value: value, expected: "a size from 1 to 1T, e.g. 64M")
                }
                arguments.maxBodyBytes = bytes
            },
            OptionSpec("color", value: "when",
                       help: "Colour text output: auto (on a terminal, unless NO_COLOR is set), always, never. (default: auto)") {
                arguments, value throws(ArgumentError) in
                guard let mode = TextSink.ColorMode(rawValue: value) else {
                    throw .invalidValue(option: "--color", value: value, expected: "auto, always or never")
                }
                arguments.color = mode
            },
        ],
        positional: { arguments, path throws(ArgumentError) in arguments.paths.append(path) }
    )

    /// Parses a size: digits with an optional K, M or G suffix (powers of 1024; `KB`,
    /// `KiB` and lowercase are accepted too). Returns nil for anything else.
    static func parseSize(_ text: String) -> Int? {
        let upper = text.uppercased()
        let digits = upper.prefix { ("0"..."9").contains($0) }
        let multiplier: Int
        switch upper.dropFirst(digits.count) {
        case "", "B": multiplier = 1
        case "K", "KB", "KIB": multiplier = 1 << 10
        case "M", "MB", "MIB": multiplier = 1 << 20
        case "G", "GB", "GIB": multiplier = 1 << 30
        default: return nil
        }
        guard let value = Int(digits) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}

extension RulesArguments {
    static let listCommand = CommandSpec<RulesArguments>(
        name: "rules list",
        overview: "List the rules a scan runs: the built-in rules and any given with --rules.",
        usage: "leakwatch rules list [<options>]",
        argumentHelp: [],
        options: RuleChoice.options(\.rules, prefilter: false),
        positional: { _, argument throws(ArgumentError) in throw .unexpectedArgument(argument) }
    )

    static let testCommand = CommandSpec<RulesArguments>(
        name: "rules test",
        overview: "Check every rule against its examples (each must match) and look-alikes (none may).",
        usage: "leakwatch rules test [<options>] [<path> ...]",
        argumentHelp: [("<path>", "Rule files or directories to test; the built-in rules if none.")],
        options: [RuleChoice.categoryOption(\.rules)],
        positional: { arguments, path throws(ArgumentError) in arguments.rules.ruleFiles.append(path) }
    )
}
