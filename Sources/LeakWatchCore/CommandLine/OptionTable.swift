/// One option of a command: parsing and `--help` both read this table.
struct OptionSpec<Arguments>: Sendable {
    var short: Character?
    var long: String
    /// The value's name in help (`<format>`), or nil for a switch.
    var valueName: String?
    var help: String
    var apply: @Sendable (inout Arguments, String) throws(ArgumentError) -> Void

    init(short: Character? = nil, _ long: String, value valueName: String? = nil, help: String,
         apply: @escaping @Sendable (inout Arguments, String) throws(ArgumentError) -> Void) {
        self.short = short
        self.long = long
        self.valueName = valueName
        self.help = help
        self.apply = apply
    }
}

/// A command: its usage line, overview, argument help and option table.
struct CommandSpec<Arguments>: Sendable {
    var name: String
    var overview: String
    var usage: String
    /// `(name, help)` rows for the ARGUMENTS section.
    var argumentHelp: [(String, String)]
    var options: [OptionSpec<Arguments>]
    /// Takes a positional argument, or throws `unexpectedArgument`.
    var positional: @Sendable (inout Arguments, String) throws(ArgumentError) -> Void

    /// Parses `argv` (after the command's name) into `arguments`.
    ///
    /// Accepts `--name value`, `--name=value`, `-x value`, `-xvalue`, `-` as a positional
    /// (standard input), and `--` before positionals that start with `-`. The last
    /// occurrence of a single-valued option wins. Returns false if `-h`/`--help` was
    /// given (and stops there).
    func parse(_ argv: [String], into arguments: inout Arguments) throws(ArgumentError) -> Bool {
        var rest = argv[...]
        while let token = rest.popFirst() {
            if token == "-h" || token == "--help" { return false }
            if token == "--" {
                for argument in rest { try positional(&arguments, argument) }
                return true
            }
            guard token.hasPrefix("-"), token != "-" else {
                try positional(&arguments, token)
                continue
            }
            let (name, attached) = split(token)
            guard let option = option(named: name) else {
                throw .unknownOption(name, suggestion: suggestion(for: name))
            }
            var value = ""
            if let valueName = option.valueName {
                guard let given = attached ?? rest.popFirst() else {
                    throw .missingValue(option: "--" + option.long, valueName: valueName)
                }
                value = given
            } else if let attached {
                throw .invalidValue(option: "--" + option.long, value: attached, expected: "no value")
            }
            try option.apply(&arguments, value)
        }
        return true
    }

    /// `--format=jsonl` → (`--format`, `jsonl`); `-fjsonl` → (`-f`, `jsonl`).
    private func split(_ token: String) -> (String, String?) {
        if token.hasPrefix("--") {
            guard let equals = token.firstIndex(of: "=") else { return (token, nil) }
            return (String(token[..<equals]), String(token[token.index(after: equals)...]))
        }
        let name = String(token.prefix(2))
        return (name, token.count > 2 ? String(token.dropFirst(2)) : nil)
    }

    private func option(named name: String) -> OptionSpec<Arguments>? {
        if name.hasPrefix("--") { return options.first { "--" + $0.long == name } }
        return options.first { $0.short.map { "-\($0)" } == name }
    }

    private func suggestion(for name: String) -> String? {
        closestMatch(to: name, in: options.map { "--" + $0.long })
    }

    /// The `--help` text, in swift-argument-parser's layout, lines under 80 columns.
    var helpText: String {
        var rows: [(String, String)] = options.map { option in
            let short = option.short.map { "-\($0), " } ?? "    "
            let value = option.valueName.map { " <\($0)>" } ?? ""
            return (short + "--" + option.long + value, option.help)
        }
        rows.append(("-h, --help", "Show help information."))
        var text = "OVERVIEW: " + wrap(overview, width: 68).joined(separator: "\n          ") + "\n\nUSAGE: \(usage)\n"
        if !argumentHelp.isEmpty {
            text += "\nARGUMENTS:\n" + table(argumentHelp)
        }
        text += "\nOPTIONS:\n" + table(rows)
        return text
    }

    private func table(_ rows: [(String, String)]) -> String {
        let width = min(26, (rows.map(\.0.count).max() ?? 0) + 2)
        return rows.map { name, help in
            let lines = wrap(help, width: 78 - width - 2)
            var text = "  " + name
            if name.count + 2 > width {
                text += "\n" + String(repeating: " ", count: width + 2)
            } else {
                text += String(repeating: " ", count: width - name.count)
            }
            return text + lines.joined(separator: "\n" + String(repeating: " ", count: width + 2)) + "\n"
        }.joined()
    }

    private func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += current.isEmpty ? String(word) : " " + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
