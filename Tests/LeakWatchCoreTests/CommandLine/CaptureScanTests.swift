import Foundation
import Glibc
import Testing
@testable import LeakWatchCore

/// `curl -si URL | leakwatch scan -` and HAR files, end to end: real captures through a
/// pipe, and the same captures broken in each way the tool must report.
@Suite struct CaptureScanTests {
    /// `leakwatch scan -f jsonl - <extra>` with `bytes` on standard input: status, the
    /// finding records' data, and the error records' data.
    func scanPiped(_ bytes: [UInt8], _ extra: [String] = []) throws -> (status: Int32, findings: [[String: Any]], errors: [[String: Any]]) {
        let input = try pipeFeeding(bytes)
        defer { close(input) }
        let result = try runLeakWatch(["scan", "-f", "jsonl"] + extra + ["-"], stdinDescriptor: input)
        var findings: [[String: Any]] = [], errors: [[String: Any]] = []
        for line in result.stdout.split(separator: "\n") {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let data = try #require(record["data"] as? [String: Any])
            if record["type"] as? String == "finding" { findings.append(data) }
            if record["type"] as? String == "error" { errors.append(data) }
        }
        return (result.status, findings, errors)
    }

    func ids(_ findings: [[String: Any]]) -> Set<String> { Set(findings.compactMap { $0["rule_id"] as? String }) }

    @Test func curlOutputOnAPipeFindsTheDebuggerPageAtItsLine() throws {
        let result = try scanPiped(try repositoryBytes("samples/http/boom.http"))
        #expect(result.status == 1 && result.errors.isEmpty)
        let page = try #require(result.findings.first { $0["rule_id"] as? String == "werkzeug-debugger-page" })
        #expect(page["line"] as? Int == (try lineNumber(of: "The debugger caught an exception", in: "samples/http/boom.http")))
        #expect(page["line_in"] as? String == "input" && page["status"] as? Int == 500 && page["message"] as? Int == 1)
        #expect(page["path"] as? String == "<stdin>" && page["context"] as? String == "body")
        let server = try #require(result.findings.first { $0["rule_id"] as? String == "werkzeug-server-header" })
        #expect(server["context"] as? String == "header" && server["line"] as? Int == 2)
    }

    @Test func rawGzipAndChunkedOnTheWireIsDecoded() throws {
        let result = try scanPiped(try repositoryBytes("samples/http/boom-post-expect-100-apache-gzip-raw.http"))
        #expect(result.status == 1 && result.errors.isEmpty)
        let page = try #require(result.findings.first { $0["rule_id"] as? String == "werkzeug-debugger-page" })
        #expect(page["line_in"] as? String == "body" && page["message"] as? Int == 2 && page["status"] as? Int == 500)
        // The same page, de-chunked by curl (no --raw): lines of the capture again.
        let plain = try scanPiped(try repositoryBytes("samples/http/stream-raw.http"))
        let trace = try #require(plain.findings.first { $0["rule_id"] as? String == "python-traceback" })
        #expect(trace["line"] as? Int == (try lineNumber(of: "Traceback (most recent", in: "samples/http/stream-raw.http")))
        #expect(trace["line_in"] as? String == "input" && trace["severity"] as? String == "high")
    }

    @Test(arguments: ["boom-debug-off.http", "boom-debug-off-nginx-gzip-raw.http", "boom-debug-off-apache-br-raw.http",
                      "index.http", "index-debug-off-nginx-gzip-raw.http"])
    func aDebugOffServerIsClean(file: String) throws {
        let result = try scanPiped(try repositoryBytes("samples/http/" + file))
        #expect(result.status == 0 && result.errors.isEmpty, "\(result.findings)")
    }

    @Test func failOnHighLetsADeployCheckIgnoreTheServerBanner() throws {
        #expect(try scanPiped(try repositoryBytes("samples/http/boom-debug-off.http"), ["--fail-on", "info"]).status == 1)
        #expect(try scanPiped(try repositoryBytes("samples/http/boom-debug-off.http"), ["--fail-on", "high"]).status == 0)
        #expect(try scanPiped(try repositoryBytes("samples/http/boom.http"), ["--fail-on", "high"]).status == 1)
    }

    @Test func aHARWithFiftyEntriesGivesExactlyTheTwoLeakingOnes() throws {
        let result = try runLeakWatch(["scan", "-f", "jsonl", "--fail-on", "low", repositoryRoot + "/samples/har/fifty-entries.har"])
        #expect(result.status == 1)
        var entries: Set<String> = []
        for line in result.stdout.split(separator: "\n") {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard record["type"] as? String == "finding", let data = record["data"] as? [String: Any],
                  data["severity"] as? String != "info" else { continue }
            let url = (data["request_url"] as? String).map { URL(string: $0)?.path ?? $0 } ?? "?"
            entries.insert("\(data["message"] as? Int ?? 0) \(data["request_method"] as? String ?? "?") \(url) \(data["status"] as? Int ?? 0)")
        }
        #expect(entries == ["18 GET /boom 500", "42 GET /console 200"])
    }

    // MARK: - Bad input: one clear error naming the capture and message, what is readable
    // still scanned, exit status 2.

    func expectError(_ bytes: [UInt8], containing needle: String, stillFinds rule: String? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try scanPiped(bytes)
        #expect(result.status == 2, sourceLocation: sourceLocation)
        let messages = result.errors.compactMap { $0["message"] as? String }
        #expect(messages.count == 1 && messages[0].contains(needle), "\(messages)", sourceLocation: sourceLocation)
        #expect(result.errors.allSatisfy { $0["path"] as? String == "<stdin>" }, sourceLocation: sourceLocation)
        if let rule { #expect(ids(result.findings).contains(rule), sourceLocation: sourceLocation) }
    }

    @Test func aTruncatedMessage() throws {
        let boom = try repositoryBytes("samples/http/boom.http")
        try expectError(Array(boom.prefix(boom.count * 2 / 3)),
                        containing: "message 1 (status 500): the body ends after", stillFinds: "werkzeug-debugger-title")
        try expectError(Array(boom.prefix(120)), containing: "message 1 (status 500): the head ends before its blank line")
        let fixture = Array(try Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/Tests/LeakWatchCoreTests/Fixtures/stream-fail-debug-off-raw.http")))
        try expectError(fixture, containing: "the body ends before its last (empty) chunk", stillFinds: "python-traceback")
    }

    @Test func aContentLengthThatLies() throws {
        let text = String(decoding: try repositoryBytes("samples/http/boom.http"), as: UTF8.self)
        let lying = text.replacingOccurrences(of: "Content-Length: 14403", with: "Content-Length: 2000")
        try expectError(Array(lying.utf8), containing: "the body runs on past the 2000 bytes its Content-Length announces",
                        stillFinds: "werkzeug-debugger-page")
    }

    @Test func aChunkSizeThatLiesOrIsNotHex() throws {
        let text = String(decoding: try repositoryBytes("samples/http/stream-raw.http"), as: UTF8.self)
        try expectError(Array(text.replacingOccurrences(of: "\r\n13\r\n", with: "\r\n1f\r\n").utf8),
                        containing: "is not followed by a line end: its size is wrong", stillFinds: "python-traceback")
        let notHex = text.replacingOccurrences(of: "\r\n13\r\n", with: "\r\nzz\r\n")
        try expectError(Array(notHex.utf8), containing: "'zz' is not a chunk size", stillFinds: "python-traceback")
        // Split bytes: Swift reads "\r\n" as one Character.
        let zzLine = (notHex.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
            .firstIndex { $0.elementsEqual("zz\r".utf8) } ?? -1) + 1
        #expect(try scanPiped(Array(notHex.utf8)).errors.first?["line"] as? Int == zzLine)
    }

    @Test func aCompressedBodyCutShortAndAnUnknownCoding() throws {
        let raw = try repositoryBytes("samples/http/boom-post-expect-100-apache-gzip-raw.http")
        try expectError(Array(raw.prefix(raw.count / 2)), containing: "message 2 (status 500): the body ends inside the chunk",
                        stillFinds: "werkzeug-debugger-title")
        // Bytes, not a String: the body is binary.
        var zstd = try repositoryBytes("samples/http/stream-zstd-raw.http")
        let coding = try #require(zstd.firstRange(of: Array("Content-Encoding: zstd".utf8)))
        zstd.replaceSubrange(coding, with: Array("Content-Encoding: compress".utf8))
        try expectError(zstd, containing: "Content-Encoding 'compress' is not one LeakWatch decodes")
    }

    @Test func invalidHARJSONAndBrokenBase64() throws {
        var har = try repositoryBytes("samples/har/fifty-entries.har")
        let console = try #require(har.firstRange(of: Array("/console\"".utf8)))  // entry 42's URL, after entry 18
        har.insert(contentsOf: Array("}]".utf8), at: console.upperBound)
        let result = try scanPiped(har, ["--input", "har"])
        #expect(result.status == 2 && result.errors.count == 1)
        #expect(result.errors.first?["line"] as? Int != nil && result.errors.first?["column"] as? Int != nil)
        #expect(ids(result.findings).contains("werkzeug-debugger-page"))  // entry 18 comes before the fault

        let text = String(decoding: try repositoryBytes("samples/har/gzip-entries.har"), as: UTF8.self)
        let base64 = try #require(text.range(of: #""encoding": "base64""#) ?? text.range(of: #""encoding":"base64""#))
        let textField = try #require(text.range(of: #""text": ""#, options: .backwards, range: text.startIndex..<base64.lowerBound))
        var broken = text
        broken.insert(contentsOf: "!!!!", at: text.index(textField.upperBound, offsetBy: 8))
        try expectError(Array(broken.utf8), containing: "response.content.text is not valid base64 after 8 characters")
    }
}
