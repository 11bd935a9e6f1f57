import Foundation
import Testing
@testable import LeakWatchCore

/// The bytes of a file under the repository.
func repositoryBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/" + path)))
}

/// Every byte `source` yields.
func drain(_ source: any ByteSource) throws -> [UInt8] {
    var source = source
    var bytes: [UInt8] = []
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
    defer { buffer.deallocate() }
    while true {
        let count = try source.read(into: buffer)
        if count == 0 { return bytes }
        bytes += buffer[..<count]
    }
}

/// The captures of samples/http, read with the reader alone: framing, as curl left it.
@Suite struct HTTPCaptureReaderTests {
    /// Each message of `path`: status, framing and body text.
    func messages(_ path: String) throws -> [(status: Int, framing: HTTPBodySource.Framing, body: String, problems: [HTTPBodySource.Problem])] {
        let reader = HTTPCaptureReader(upstream: BytesSource(try repositoryBytes(path), blockSize: 777))
        var result: [(Int, HTTPBodySource.Framing, String, [HTTPBodySource.Problem])] = []
        while let head = try reader.nextHead() {
            let body = try reader.body(of: head)
            let bytes = try drain(body)
            result.append((head.status, body.framing, String(decoding: bytes, as: UTF8.self), body.problems))
        }
        return result
    }

    @Test func aContentLengthBodyEndsWhereItSays() throws {
        let boom = try messages("samples/http/boom.http")
        #expect(boom.count == 1 && boom[0].status == 500 && boom[0].framing == .length(14403))
        #expect(boom[0].body.utf8.count == 14403 && boom[0].body.contains("The debugger caught an exception"))
    }

    @Test func chunkFramingIsRemovedAndLinesPointIntoTheCapture() throws {
        let raw = try messages("samples/http/stream-raw.http")
        let dechunked = try messages("samples/http/stream.http")
        #expect(raw.count == 1 && raw[0].framing == .chunked && raw[0].problems.isEmpty)
        // curl -si removed the framing but kept the header: the body is read to the end.
        #expect(dechunked[0].framing == .toNextMessage)
        #expect(raw[0].body == dechunked[0].body && raw[0].body.hasPrefix("order export started\n"))

        let reader = HTTPCaptureReader(upstream: BytesSource(try repositoryBytes("samples/http/stream-raw.http")))
        let head = try #require(try reader.nextHead())
        let body = try reader.body(of: head)
        let text = try drain(body)
        let tracebackBodyLine = text.split(separator: 0x0A, omittingEmptySubsequences: false)
            .firstIndex { $0.starts(with: "Traceback".utf8) }.map { $0 + 1 } ?? 0
        let offset = try #require(text.firstRange(of: Array("Traceback".utf8))).lowerBound
        let place = body.lineMap.capturePosition(bodyLine: tracebackBodyLine, bodyOffset: offset)
        #expect(place?.line == (try lineNumber(of: "Traceback (most recent call last):", in: "samples/http/stream-raw.http")))
    }

    @Test func redirectsAndInterimResponsesAreMessagesOfTheirOwn() throws {
        let redirect = try messages("samples/http/redirect-follow.http")
        #expect(redirect.map(\.status) == [302, 500])
        #expect(redirect[0].framing == .none && redirect[0].problems.isEmpty)  // curl -L prints no redirect body
        let expect = try messages("samples/http/boom-post-expect-100.http")
        #expect(expect.map(\.status) == [100, 100, 500] && expect[2].body.contains("Werkzeug Debugger"))
    }

    @Test func chunkExtensionsAndTrailersThenTheNextMessage() throws {
        let capture = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
            + "6;part=1\r\nhello \r\n6\r\nworld\n\r\n0;last\r\nX-Checksum: 9f86d081\r\n\r\n"
            + "HTTP/1.1 404 NOT FOUND\r\nContent-Length: 9\r\n\r\nnot found"
        let reader = HTTPCaptureReader(upstream: BytesSource(Array(capture.utf8), blockSize: 5))
        let first = try #require(try reader.nextHead())
        let body = try reader.body(of: first)
        let text = String(decoding: try drain(body), as: UTF8.self)
        #expect(body.framing == .chunked && text == "hello world\n")
        #expect(body.problems.isEmpty)
        let second = try #require(try reader.nextHead())
        #expect(second.index == 2 && second.status == 404 && second.firstLine == 13)
        #expect(String(decoding: try drain(reader.body(of: second)), as: UTF8.self) == "not found")
        #expect(try reader.nextHead() == nil)
    }

    @Test func aHeadWithoutItsBodyIsNoError() throws {
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 5120\r\nServer: Werkzeug/3.1.9 Python/3.11.7\r\n\r\n".utf8)
        let reader = HTTPCaptureReader(upstream: BytesSource(head))
        let parsed = try #require(try reader.nextHead())
        #expect(parsed.values("server") == ["Werkzeug/3.1.9 Python/3.11.7"] && parsed.isComplete)
        #expect(try drain(reader.body(of: parsed)).isEmpty)
        #expect(try reader.nextHead() == nil)
    }

    @Test func statusLines() {
        for line in ["HTTP/1.1 200 OK", "HTTP/2 500 ", "HTTP/1.0 404\r\n", "HTTP/1.1 302"] {
            #expect(HTTPCaptureReader.isStatusLine(Array(line.utf8)), "\(line)")
        }
        for line in ["HTTP/1.1 20 short", "HTTP/ 200 OK", "GET / HTTP/1.1", "HTTP/1.1 2000 x", "http/1.1 200 OK"] {
            #expect(!HTTPCaptureReader.isStatusLine(Array(line.utf8)), "\(line)")
        }
    }

    @Test func chunkSizeLines() {
        #expect(HTTPBodySource.chunkSize(Array("1a3\r\n".utf8)) == 0x1a3)
        #expect(HTTPBodySource.chunkSize(Array("FF ;name=value\r\n".utf8)) == 255)
        #expect(HTTPBodySource.chunkSize(Array("0\n".utf8)) == 0)
        for line in ["zz\r\n", "12 34\r\n", "\r\n", "1234567890abcdef0\r\n"] {
            #expect(HTTPBodySource.chunkSize(Array(line.utf8)) == nil, "\(line)")
        }
    }
}

/// Content codings, on bodies real servers compressed.
@Suite struct ContentDecodingTests {
    /// The first message's decoded body of a capture, and whether it was decoded.
    func decodedBody(_ path: String) throws -> (text: String, isDecoded: Bool, problems: [String]) {
        let reader = HTTPCaptureReader(upstream: BytesSource(try repositoryBytes(path)))
        var head = try #require(try reader.nextHead())
        while head.status < 200 { head = try #require(try reader.nextHead()) }
        let decoded = try ContentDecoding.decode(try reader.body(of: head), encodings: head.tokens("Content-Encoding"), limit: 64 << 20)
        return (String(decoding: try drain(decoded.source), as: UTF8.self), decoded.isDecoded, decoded.problems)
    }

    @Test(arguments: ["boom-apache-gzip-raw.http", "boom-apache-br-raw.http", "boom-deflate.http", "boom-br.http",
                      "boom-post-expect-100-apache-gzip-raw.http", "stream-deflate-raw.http", "stream-br-raw.http",
                      "stream-zstd-raw.http", "stream-nginx-gzip-raw.http"])
    func everyCodingDecodes(file: String) throws {
        let body = try decodedBody("samples/http/" + file)
        #expect(body.isDecoded && body.problems.isEmpty)
        #expect(body.text.contains("Werkzeug Debugger") || body.text.contains("Traceback (most recent call last):"))
    }

    @Test(arguments: ["boom-apache-compressed.http", "boom-br-compressed.http", "config-compressed.http", "console-nginx-compressed.http"])
    func aBodyCurlDecodedIsReadAsItIs(file: String) throws {
        let body = try decodedBody("samples/http/" + file)
        #expect(!body.isDecoded && body.problems.isEmpty && !body.text.isEmpty)
    }

    @Test func stackedCodingsAreUndoneFromTheLast() throws {
        let text = "Traceback (most recent call last):\n  File \"/srv/app/x.py\", line 1, in f\nKeyError: 'x'\n"
        let inner = try runBytes(["python3", "-c", "import sys, zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))"], input: Array(text.utf8))
        let outer = try runBytes(["gzip", "-c"], input: inner)
        let decoded = try ContentDecoding.decode(BytesSource(outer), encodings: ["deflate", "gzip"], limit: 1 << 20)
        let plain = String(decoding: try drain(decoded.source), as: UTF8.self)
        #expect(decoded.isDecoded && plain == text)
    }

    @Test func unknownCodingsAndBombsAreReported() throws {
        let zstd = try decodedBody("samples/http/stream-zstd-raw.http")
        #expect(zstd.isDecoded)
        let unknown = try ContentDecoding.decode(BytesSource([0x1F, 0x9D, 0x90, 0x00, 0x01]), encodings: ["compress"], limit: 1 << 20)
        #expect(unknown.problems == ["Content-Encoding 'compress' is not one LeakWatch decodes (gzip, deflate, br, zstd); the body is read as it is"])
        let bomb = try runBytes(["python3", "-c", "import sys, gzip; sys.stdout.buffer.write(gzip.compress(bytes(8 << 20)))"])
        let capped = try ContentDecoding.decode(BytesSource(bomb), encodings: ["gzip"], limit: 1 << 20)
        #expect(throws: InputError("the decoded body is larger than 1 MiB: not read further (a compression bomb?)")) {
            _ = try drain(capped.source)
        }
    }
}

/// Runs a command found on PATH and returns its standard output as bytes.
func runBytes(_ command: [String], input: [UInt8] = []) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    try process.run()
    stdin.fileHandleForWriting.write(Data(input))
    try stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(output)
}
