/// Which rules a command runs, from the options every command shares: `--rules`,
/// `--pattern-file`, `--no-builtin`, `--category` and `--no-prefilter`.
public struct RuleChoice: Equatable, Sendable {
    /// Returns true if and only if the built-in rules are loaded. This is true by default.
    public var builtin = true
    /// Extra `.rules` files or directories, loaded after the built-in rules.
    public var ruleFiles: [String] = []
    /// grep-style pattern files, one regex a line (``PatternFile``), loaded last.
    public var patternFiles: [String] = []
    /// Only rules of these categories run; empty means all.
    public var categories: Set<Category> = []
    /// Returns true if and only if regexes run only on lines holding a keyword. This is
    /// true by default.
    public var usesPrefilter = true

    public init() {}

    /// `-c/--category`, for a command whose arguments keep their choice at `keyPath`.
    static func categoryOption<A>(_ keyPath: WritableKeyPath<A, RuleChoice> & Sendable) -> OptionSpec<A> {
        OptionSpec(short: "c", "category", value: "category",
                   help: "Only run rules of <category> (repeatable, or comma-separated): \(Category.allCases.map(\.rawValue).joined(separator: ", ")).") {
            arguments, value throws(ArgumentError) in
            arguments[keyPath: keyPath].categories.formUnion(try SharedOptions.categories(value))
        }
    }

    /// The option rows, for a command whose arguments keep their choice at `keyPath`.
    /// `prefilter` adds `--no-prefilter` (for commands that scan).
    static func options<A>(_ keyPath: WritableKeyPath<A, RuleChoice> & Sendable, prefilter: Bool = true) -> [OptionSpec<A>] {
        var rows = [
            categoryOption(keyPath),
            OptionSpec<A>(short: "r", "rules", value: "path",
                          help: "Also load rules from <path>, a .rules file or a directory of them (repeatable).") {
                $0[keyPath: keyPath].ruleFiles.append($1)
            },
            OptionSpec<A>("pattern-file", value: "file",
                          help: "Also run each line of <file> as a regex (grep -f style; rule id FILE:LINE, severity medium) (repeatable).") {
                $0[keyPath: keyPath].patternFiles.append($1)
            },
            OptionSpec<A>("no-builtin", help: "Do not load the built-in rules (run only --rules and --pattern-file).") {
                arguments, _ in arguments[keyPath: keyPath].builtin = false
            },
        ]
        if prefilter {
            rows.append(OptionSpec<A>("no-prefilter",
                                      help: "Run every regex on every line instead of only on lines holding its keywords (slow; for checking).") {
                arguments, _ in arguments[keyPath: keyPath].usesPrefilter = false
            })
        }
        return rows
    }

    /// Loads the chosen rules, printing every error (`file:line:col: error: …`) to
    /// `standardError` and returning nil if there is any, or if no rule is left.
    func load(standardError: OutputStream) -> RuleSet? {
        var errors: [RuleFileError] = []
        var rules: [Rule] = []
        do {
            var files = builtin ? BuiltinRules.files : []
            files += try RuleSet.readFiles(ruleFiles)
            if !files.isEmpty {
                switch RuleSet.load(files) {
                case .success(let loaded): rules = loaded.rules
                case .failure(let failure): errors += failure.errors
                }
            }
        } catch {
            errors += error.errors
        }
        for path in patternFiles {
            switch PatternFile.load(path: path) {
            case .success(let loaded): rules += loaded
            case .failure(let failure): errors += failure.errors
            }
        }
        if errors.isEmpty, rules.isEmpty {
            LeakWatchCommand.write("leakwatch: error: no rules to run: --no-builtin needs --rules or --pattern-file\n", to: standardError)
            return nil
        }
        guard errors.isEmpty else {
            LeakWatchCommand.write(errors.map { "\($0)\n" }.joined(), to: standardError)
            return nil
        }
        let set = RuleSet(rules: rules, usesPrefilter: usesPrefilter)
        return categories.isEmpty ? set : set.filtered(categories: categories)
    }
}
