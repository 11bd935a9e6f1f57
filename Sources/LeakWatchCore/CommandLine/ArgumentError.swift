// CommandLine/: the only folder that knows argv, help text and exit statuses. It uses
// the façade (Scanner) and the types it needs; it knows no internals beyond them.

/// A mistake on the command line, worded as swift-argument-parser words them.
public enum ArgumentError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownOption(String, suggestion: String?)
    case missingValue(option: String, valueName: String)
    case invalidValue(option: String, value: String, expected: String)
    case unexpectedArgument(String)
    case unknownCommand(String, suggestion: String?)
    case missingCommand
    case noInput
    /// A required positional argument is absent, e.g. `<path-or-glob>`.
    case missingArgument(String)

    public var description: String {
        switch self {
        case .unknownOption(let name, let suggestion):
            return "Unknown option '\(name)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? "")
        case .missingValue(let option, let valueName):
            return "Missing value for '\(option) <\(valueName)>'."
        case .invalidValue(let option, let value, let expected):
            return "The value '\(value)' is invalid for '\(option)'; expected \(expected)."
        case .unexpectedArgument(let argument):
            return "Unexpected argument '\(argument)'."
        case .unknownCommand(let name, let suggestion):
            return "Unknown command '\(name)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? "")
        case .missingCommand:
            return "Missing expected command: scan, tail, sweep, rules list, rules test."
        case .noInput:
            return "No input: standard input is a terminal. Give a path, or pipe data into 'leakwatch scan -'."
        case .missingArgument(let name):
            return "Missing expected argument '\(name)'."
        }
    }
}
