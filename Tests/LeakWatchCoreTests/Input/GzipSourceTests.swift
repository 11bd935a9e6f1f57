import Foundation
import Testing
@testable import LeakWatchCore

/// `text` compressed by the real `gzip` program.
func gzippedBytes(_ text: String) throws -> [UInt8] {
    let directory = try TemporaryDirectory()
    let path = try directory.write("plain", text)
    #expect(try run("/bin/gzip", ["-n", path]).status == 0)
    return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
}

/// Reads a whole source through a line reader, returning the text and the error, if any.
func readAll(_ source: any ByteSource) -> (text: String, error: InputError?) {
    let reader = LineReader(source: source, bufferSize: 7)
    var text: [UInt8] = []
    do {
        while let chunk = try reader.nextChunk() { text += chunk.bytes }
        return (String(decoding: text, as: UTF8.self), nil)
    } catch {
        return (String(decoding: text, as: UTF8.self), error)
    }
}

@Suite struct GzipSourceTests {
    let log = (1...2000).map { "2026-12-03 10:00:\($0 % 60) INFO line \($0)\n" }.joined()

    @Test func decompressesWhatGzipWrote() throws {
        let compressed = try gzippedBytes(log)
        #expect(compressed.count < log.utf8.count / 4)
        let result = readAll(GzipSource(upstream: BytesSource(compressed, blockSize: 100), inputBufferSize: 64))
        #expect(result.error == nil)
        #expect(result.text == log)
    }

    @Test func readsConcatenatedMembersLikeGzipDoes() throws {
        let both = try gzippedBytes("first\n") + gzippedBytes("second\n")
        let result = readAll(GzipSource(upstream: BytesSource(both)))
        #expect(result.error == nil)
        #expect(result.text == "first\nsecond\n")
    }

    @Test func aTruncatedFileIsAnErrorAfterTheReadablePart() throws {
        let compressed = try gzippedBytes(log)
        let result = readAll(GzipSource(upstream: BytesSource(compressed.prefix(compressed.count / 2))))
        #expect(result.error?.message.contains("truncated") == true)
        #expect(result.text.count > 1000)
        #expect(log.hasPrefix(result.text))
    }

    @Test func corruptDataIsAnError() throws {
        var compressed = try gzippedBytes(log)
        for index in 20..<60 { compressed[index] ^= 0x5A }
        let result = readAll(GzipSource(upstream: BytesSource(compressed)))
        #expect(result.error?.message.hasPrefix("gzip data is corrupt") == true)
    }

    @Test func garbageAfterTheLastMemberIsAnError() throws {
        let result = readAll(GzipSource(upstream: BytesSource(try gzippedBytes("ok\n") + Array("junk".utf8))))
        #expect(result.text == "ok\n")
        #expect(result.error?.message == "unexpected data after the end of the gzip stream")
    }

    @Test func theOpenerSniffsGzipWhateverTheName() throws {
        let directory = try TemporaryDirectory()
        let compressed = try directory.write("app.log", try gzippedBytes("hello\n"))
        let plain = try directory.write("other.gz", "not compressed\n")
        let opened = try SourceOpener.open(path: compressed)
        #expect(opened.info.encoding == .gzip)
        #expect(readAll(opened.source).text == "hello\n")
        let notCompressed = try SourceOpener.open(path: plain)
        #expect(notCompressed.info.encoding == .plain)
        #expect(readAll(notCompressed.source).text == "not compressed\n")
    }

    @Test func aOneByteFileIsNotMistakenForGzip() throws {
        let opened = try SourceOpener.sniff(BytesSource([0x1F]), name: "x")
        #expect(opened.info.encoding == .plain)
        #expect(readAll(opened.source).text == "\u{1F}")
    }
}
