import Foundation
import Testing
@testable import LeakWatchCore

/// HAR files mitmproxy wrote (samples/har), read entry by entry.
@Suite struct HARReaderTests {
    func entries(_ bytes: [UInt8]) throws -> [HARReader.Entry] {
        let reader = HARReader(upstream: BytesSource(bytes, blockSize: 1000))
        var entries: [HARReader.Entry] = []
        while let entry = try reader.nextEntry() { entries.append(entry) }
        return entries
    }

    @Test func everyEntryWithItsRequestStatusHeadersAndBody() throws {
        let all = try entries(try repositoryBytes("samples/har/fifty-entries.har"))
        #expect(all.count == 50 && all.map(\.index) == Array(1...50))
        let boom = all[17]
        #expect(boom.method == "GET" && boom.url?.hasSuffix("/boom") == true && boom.status == 500)
        #expect(boom.headers.contains { $0.name.lowercased() == "server" && $0.value.hasPrefix("Werkzeug/") })
        #expect(String(decoding: boom.body().bytes, as: UTF8.self).contains("The debugger caught an exception"))
        #expect(all[41].url?.hasSuffix("/console") == true && all[41].status == 200)
    }

    @Test func base64BodiesAreDecoded() throws {
        let all = try entries(try repositoryBytes("samples/har/gzip-entries.har"))
        let encoded = all.filter { $0.encoding == "base64" }
        #expect(encoded.count == 3)
        #expect(encoded.allSatisfy { $0.body().problem == nil && !$0.body().bytes.isEmpty })
        #expect(encoded.contains { $0.body().bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) })  // PNG
    }

    @Test func invalidJSONNamesItsLineAndColumn() throws {
        var bytes = try repositoryBytes("samples/har/fifty-entries.har")
        let cut = bytes.count / 2
        let line = bytes[..<cut].filter { $0 == 0x0A }.count + 1
        let column = cut - (bytes[..<cut].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
        bytes.insert(contentsOf: Array("}]".utf8), at: cut)
        let reader = HARReader(upstream: BytesSource(bytes))
        var read = 0
        do {
            while try reader.nextEntry() != nil { read += 1 }
            Issue.record("no error")
        } catch {
            #expect(error.line == line && error.column.map { abs($0 - column) <= 2 } == true, "\(error) at \(line):\(column)")
            #expect(error.message.hasPrefix("not valid JSON: parse error:"))
        }
        #expect(read > 10 && read < 50)
    }

    @Test func aCutFileAndAFileThatIsNoHAR() throws {
        let bytes = try repositoryBytes("samples/har/fifty-entries.har")
        #expect(throws: InputError.self) { _ = try entries(Array(bytes.prefix(bytes.count - 100))) }
        #expect(throws: InputError("no log.entries: this JSON is not a HAR file")) { _ = try entries(Array(#"{"log": {"version": "1.2"}}"#.utf8)) }
    }

    @Test func brokenBase64KeepsWhatDecodesBeforeTheFault() throws {
        let har = #"{"log":{"entries":[{"request":{"method":"GET","url":"http://x/a"},"response":{"status":200,"headers":[],"content":{"text":"U0VDUkVUX0tFWT0i!!!!ZGphbmdv","encoding":"base64"}}}]}}"#
        let entry = try #require(try entries(Array(har.utf8)).first)
        let body = entry.body()
        #expect(String(decoding: body.bytes, as: UTF8.self) == "SECRET_KEY=\"")
        #expect(body.problem == "response.content.text is not valid base64 after 16 characters; the 12 bytes before it were scanned")
    }
}

@Suite struct InputKindTests {
    @Test func toldFromTheFirstBytes() throws {
        #expect(InputKind.sniff(try repositoryBytes("samples/http/boom.http").prefix(4096)) == .http)
        #expect(InputKind.sniff(try repositoryBytes("samples/har/fifty-entries.har").prefix(4096)) == .har)
        #expect(InputKind.sniff(try repositoryBytes("samples/flask-debug-on/devserver.log").prefix(4096)) == .log)
        #expect(InputKind.sniff(try repositoryBytes("samples/traces/python-docker-json-file.log").prefix(4096)) == .log)
        #expect(InputKind.sniff(Array("\u{FEFF}  {\n \"log\" : {".utf8)) == .har)
        #expect(InputKind.sniff(Array("127.0.0.1 - - \"GET / HTTP/1.1\" 200".utf8)) == .log)
    }
}
