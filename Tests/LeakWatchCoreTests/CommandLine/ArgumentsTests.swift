import Testing
@testable import LeakWatchCore

@Suite struct ArgumentsTests {
    func parse(_ argv: [String]) throws(ArgumentError) -> ScanArguments {
        var arguments = ScanArguments()
        _ = try ScanArguments.command.parse(argv, into: &arguments)
        return arguments
    }

    func failure(_ argv: [String]) -> ArgumentError? {
        do {
            _ = try parse(argv)
            return nil
        } catch {
            return error
        }
    }

    @Test func format() throws {
        #expect(try parse(["-f", "jsonl"]).format == .jsonl)
        #expect(try parse(["--format=jsonl"]).format == .jsonl)
        #expect(try parse(["-fjsonl"]).format == .jsonl)
        #expect(try parse(["--format", "jsonl", "--format", "text"]).format == .text)
        #expect(failure(["--format"]) == .missingValue(option: "--format", valueName: "format"))
        #expect(try parse(["-f", "sarif"]).format == .sarif)
        #expect(failure(["-f", "xml"]) == .invalidValue(option: "--format", value: "xml", expected: "text, jsonl or sarif"))
        #expect(failure(["--fromat", "x"]) == .unknownOption("--fromat", suggestion: "--format"))
    }

    @Test func failOn() throws {
        #expect(try parse([]).failOn == .low)
        #expect(try parse(["--fail-on", "high"]).failOn == .high)
        #expect(try parse(["--fail-on=none"]).failOn == nil)
        #expect(failure(["--fail-on", "severe"])?.description == "The value 'severe' is invalid for '--fail-on'; expected info, low, medium, high, critical or none.")
    }

    @Test func categoryIsRepeatableAndCommaSeparated() throws {
        #expect(try parse(["-c", "secret,traceback", "--category", "debugger-probe"]).rules.categories == [.secret, .traceback, .debuggerProbe])
        #expect(failure(["-c", "secrets"])?.description.contains("'secret' (did you mean it?)") == true)
    }

    @Test func maxLineBytesTakesSizes() throws {
        #expect(try parse(["--max-line-bytes", "512K"]).maxLineBytes == 512 * 1024)
        #expect(try parse(["--max-line-bytes=2m"]).maxLineBytes == 2 << 20)
        #expect(try parse(["--max-line-bytes", "4096"]).maxLineBytes == 4096)
        #expect(try parse(["--max-line-bytes", "1MiB"]).maxLineBytes == 1 << 20)
        for bad in ["1X", "8", "", "-5", "2G", "99999999999999999999"] {
            #expect(failure(["--max-line-bytes", bad]) != nil, "accepted \(bad)")
        }
    }

    @Test func pathsDashAndDoubleDash() throws {
        #expect(try parse(["a.log", "-", "--show-secrets", "--", "-weird.log"]).paths == ["a.log", "-", "-weird.log"])
        #expect(try parse(["--show-secrets"]).showSecrets)
        #expect(failure(["--show-secrets=yes"]) == .invalidValue(option: "--show-secrets", value: "yes", expected: "no value"))
    }

    @Test func helpStopsParsing() throws {
        var arguments = ScanArguments()
        #expect(try ScanArguments.command.parse(["a.log", "-h", "--bogus"], into: &arguments) == false)
    }

    @Test func helpTextListsEveryOptionWithinEightyColumns() {
        let help = ScanArguments.command.helpText
        for option in ScanArguments.command.options {
            #expect(help.contains("--" + option.long))
        }
        #expect(help.split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(help.contains("-h, --help"))
    }

    @Test func rulesTestTakesPathsAndRulesListTakesNone() throws {
        var arguments = RulesArguments()
        _ = try RulesArguments.testCommand.parse(["a.rules", "dir/"], into: &arguments)
        #expect(arguments.rules.ruleFiles == ["a.rules", "dir/"])
        var list = RulesArguments()
        #expect(throws: ArgumentError.unexpectedArgument("extra")) {
            _ = try RulesArguments.listCommand.parse(["extra"], into: &list)
        }
    }
}
