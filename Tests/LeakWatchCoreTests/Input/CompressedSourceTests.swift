import Foundation
import Testing
@testable import LeakWatchCore

/// Rotated logs compressed by the real tools logrotate runs (gzip, bzip2, xz, zstd),
/// told apart by their magic bytes whatever the file is called.
@Suite struct CompressedSourceTests {
    let original: [UInt8]

    init() throws {
        original = try repositoryBytes("samples/flask-debug-on/devserver.log")
    }

    func opened(_ bytes: [UInt8]) throws -> (bytes: [UInt8], encoding: SourceInfo.Encoding, error: InputError?) {
        let (source, info) = try SourceOpener.sniff(BytesSource(bytes, blockSize: 333), name: "rotated")
        var out: [UInt8] = []
        do {
            out = try drain(source)
        } catch {
            // What came before the fault, then the fault.
            return (out, info.encoding, error as? InputError)
        }
        return (out, info.encoding, nil)
    }

    @Test(arguments: [("gzip", SourceInfo.Encoding.gzip), ("bzip2", .bzip2), ("xz", .xz), ("zstd", .zstd)])
    func eachFormatAlsoConcatenated(tool: String, encoding: SourceInfo.Encoding) throws {
        let compressed = try runBytes([tool, "-c"], input: original)
        let once = try opened(compressed)
        #expect(once.encoding == encoding && once.bytes == original && once.error == nil)
        let twice = try opened(compressed + compressed)
        #expect(twice.bytes == original + original && twice.error == nil)
    }

    @Test(arguments: ["gzip", "bzip2", "xz", "zstd"])
    func aCutFileIsAnError(tool: String) throws {
        let big = Array((0..<400).flatMap { _ in original })
        let compressed = try runBytes([tool, "-c"], input: big)
        let source = try SourceOpener.sniff(BytesSource(Array(compressed.prefix(compressed.count / 2))), name: "cut").source
        #expect(throws: InputError.self) { _ = try drain(source) }
    }

    @Test func plainTextIsPlain() throws {
        #expect(try opened(original).encoding == .plain)
        #expect(try opened(Array("BZh is not bzip2\n".utf8)).encoding == .plain)
    }
}
