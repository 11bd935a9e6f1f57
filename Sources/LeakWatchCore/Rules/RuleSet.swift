/// The compiled rules a scan runs, with their keyword prefilter. Immutable and Sendable,
/// so one rule set can serve every scanning thread.
///
/// - Complexity: building compiles every regex (PCRE2 JIT) and the prefilter, linear in
///   the total keyword length; about 40 ms for the built-in rules, once per run.
public struct RuleSet: Sendable {
    public let rules: [Rule]
    /// Finds the rules' keywords and, as the extra candidate ``normalizeCandidate``, the
    /// ``LineNormalizer/triggers`` of lines that need decoding.
    public let prefilter: KeywordPrefilter
    /// Indexes of rules whose regex runs on every line: those without keywords, or all of
    /// them when the prefilter is off.
    public let unfilteredRules: [Int]
    /// Returns true if and only if a rule's regex runs only on lines holding one of its
    /// keywords. This is true by default; `--no-prefilter` turns it off, to check that
    /// the prefilter loses no finding.
    public let usesPrefilter: Bool

    /// Builds a rule set from compiled rules. Ids are assumed unique (``load(_:)`` checks).
    public init(rules: [Rule], usesPrefilter: Bool = true) {
        self.rules = rules
        self.usesPrefilter = usesPrefilter
        // Without the prefilter, the keyword scan still finds lines that need decoding.
        let keywords = usesPrefilter ? rules.map(\.keywords) : rules.map { _ in [] }
        self.prefilter = KeywordPrefilter(keywords: keywords + [LineNormalizer.triggers])
        self.unfilteredRules = rules.indices.filter { !usesPrefilter || rules[$0].keywords.isEmpty }
    }

    /// The prefilter candidate that means "this line holds something to decode"; it is
    /// one past the last rule's index.
    public var normalizeCandidate: Int32 { Int32(rules.count) }

    /// The rules of the given categories only.
    public func filtered(categories: Set<Category>) -> RuleSet {
        RuleSet(rules: rules.filter { categories.contains($0.category) }, usesPrefilter: usesPrefilter)
    }

    /// Parses and compiles rule files, reporting every mistake in every file at once:
    /// syntax, fields, regexes, and ids defined twice (also across files).
    public static func load(_ files: [RuleFileText]) -> Result<RuleSet, RuleLoadError> {
        var errors: [RuleFileError] = []
        var rules: [Rule] = []
        var firstDefinition: [String: RuleSpec] = [:]
        for file in files {
            let (specs, syntaxErrors) = RuleFileParser.parse(file.text, path: file.path)
            errors += syntaxErrors
            if specs.isEmpty && syntaxErrors.isEmpty {
                errors.append(RuleFileError(path: file.path, line: 1, column: 1, message: "no rules in file"))
            }
            for spec in specs {
                if let first = firstDefinition[spec.id] {
                    errors.append(RuleFileError(path: spec.path, line: spec.line, column: 6,
                                                message: "rule '\(spec.id)' is already defined at \(first.path):\(first.line)"))
                    continue
                }
                firstDefinition[spec.id] = spec
                switch Rule.compile(spec) {
                case .success(let rule): rules.append(rule)
                case .failure(let failure): errors += failure.errors
                }
            }
        }
        return errors.isEmpty ? .success(RuleSet(rules: rules)) : .failure(RuleLoadError(errors))
    }

    /// The built-in rules (from `patterns/`, compiled into the binary).
    public static func builtin() -> Result<RuleSet, RuleLoadError> {
        load(BuiltinRules.files)
    }

    /// Reads rule files from `paths`: each a file (read whatever its name), or a
    /// directory whose `*.rules` files are read, walked in name order.
    ///
    /// - Throws: a ``RuleLoadError`` naming every path that cannot be read.
    public static func readFiles(_ paths: [String]) throws(RuleLoadError) -> [RuleFileText] {
        var files: [RuleFileText] = []
        var errors: [RuleFileError] = []
        func fail(_ path: String, _ message: String) {
            errors.append(RuleFileError(path: path, line: 1, column: 1, message: message))
        }
        for path in paths {
            var found = 0
            PathWalker.walk(path) { item in
                switch item {
                case .file(let file) where file == path || file.hasSuffix(".rules"):
                    found += 1
                    switch readText(file) {
                    case .success(let text): files.append(RuleFileText(path: file, text: text))
                    case .failure(let error): errors.append(error)
                    }
                case .file:
                    break
                case .skipped:
                    break
                case .failure(let failed, let message):
                    found += 1
                    fail(failed, "cannot read rule file: \(message)")
                }
            }
            if found == 0 { fail(path, "no .rules files in directory") }
        }
        guard errors.isEmpty else { throw RuleLoadError(errors) }
        return files
    }

    /// Reads the UTF-8 text of the `kind` ("rule file", "pattern file") at `path`, at most
    /// 16 MiB.
    static func readText(_ path: String, kind: String = "rule file") -> Result<String, RuleFileError> {
        do {
            let source = try FileDescriptorSource.open(path: path)
            var bytes: [UInt8] = []
            var block = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = try block.withUnsafeMutableBytes { buffer throws(InputError) in
                    try source.read(into: buffer)
                }
                if count == 0 { break }
                bytes += block[..<count]
                if bytes.count > 16 << 20 {
                    return .failure(RuleFileError(path: path, line: 1, column: 1, message: "\(kind) is larger than 16 MiB"))
                }
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return .failure(RuleFileError(path: path, line: 1, column: 1, message: "\(kind) is not valid UTF-8"))
            }
            return .success(text)
        } catch {
            return .failure(RuleFileError(path: path, line: 1, column: 1, message: "cannot read \(kind): \(error)"))
        }
    }
}
