import Foundation
import Glibc
import Testing
@testable import LeakWatchCore

/// A secret LeakWatch finds is never repeated in clear in its own output, whatever the
/// format and wherever the secret sits (the match, another match on the line, the line
/// an event's excerpt is taken from).
@Suite struct SecretRedactionTests {
    static let awsKey = "AKIAQ5VBZ7XK2WJ4PLMN"
    static let password = "Xq7#pL2vR9mK4wZt"
    static let input = """
        2026-12-03 10:00:01,120 ERROR could not connect to postgresql://shop:\(password)@db-primary.internal:5432/shop with key \(awsKey)
        Traceback (most recent call last):
          File "/srv/shop/billing.py", line 40, in charge
        KeyError: 'aws_access_key_id=\(awsKey)'
        {"level":"error","msg":"retry","env":"AWS_ACCESS_KEY_ID=\(awsKey)\\nDATABASE_URL=postgresql://shop:\(password)@db/shop"}

        """

    /// What the CLI writes for `input` in `format`, stdout and stderr together.
    func output(format: String, extra: [String] = []) throws -> String {
        let directory = try TemporaryDirectory()
        let path = directory.file("app.log")
        try Self.input.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runLeakWatch(["scan", "--format", format, path] + extra)
        #expect(result.status == 1)
        return result.stdout + result.stderr
    }

    @Test(arguments: ["text", "jsonl", "sarif"])
    func noFormatRepeatsTheSecret(format: String) throws {
        for colour in [["--color", "never"], ["--color", "always"]] where format == "text" || colour[1] == "never" {
            let text = try output(format: format, extra: colour)
            #expect(text.contains("[REDACTED]"))
            #expect(text.contains("secret-aws-access-key-id") && text.contains("secret-db-url-password"))
            #expect(!text.contains(Self.awsKey) && !text.contains(Self.password), "\(format) \(colour): \(text)")
        }
    }

    @Test func showSecretsIsTheOnlyWayToSeeThem() throws {
        let text = try output(format: "jsonl", extra: ["--show-secrets"])
        #expect(text.contains(Self.awsKey) && text.contains(Self.password))
    }
}
