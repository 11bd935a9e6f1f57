import Foundation
import Glibc
import Testing
@testable import LeakWatchCore

@Suite struct PathWalkerTests {
    func walk(_ path: String) -> [PathWalker.Item] {
        var items: [PathWalker.Item] = []
        PathWalker.walk(path) { items.append($0) }
        return items
    }

    @Test func walksDirectoriesRecursivelyInNameOrder() throws {
        let directory = try TemporaryDirectory()
        try directory.write("b.log", "")
        try directory.write("a/z.log", "")
        try directory.write("a/c/y.log", "")
        try directory.write("A.log", "")
        #expect(walk(directory.path) == [
            .file(directory.file("A.log")), .file(directory.file("a/c/y.log")),
            .file(directory.file("a/z.log")), .file(directory.file("b.log")),
        ])
    }

    @Test func aMissingPathIsOneFailure() {
        #expect(walk("/nonexistent/leakwatch/x.log") == [.failure(path: "/nonexistent/leakwatch/x.log", message: "no such file or directory")])
    }

    @Test func linksToFilesAreReadButLinksToDirectoriesAreNotFollowed() throws {
        let directory = try TemporaryDirectory()
        let target = try directory.write("real/app.log", "")
        try FileManager.default.createDirectory(atPath: directory.file("tree"), withIntermediateDirectories: true)
        #expect(symlink(target, directory.file("tree/link.log")) == 0)
        #expect(symlink(directory.path, directory.file("tree/loop")) == 0)
        #expect(symlink("/nonexistent", directory.file("tree/dangling.log")) == 0)
        #expect(walk(directory.file("tree")) == [.file(directory.file("tree/link.log"))])
    }

    @Test func fifosAreSkippedInAWalkButReadWhenNamed() throws {
        let directory = try TemporaryDirectory()
        #expect(mkfifo(directory.file("fifo"), 0o600) == 0)
        #expect(walk(directory.path) == [.skipped(path: directory.file("fifo"), reason: "a FIFO")])
        #expect(walk(directory.file("fifo")) == [.file(directory.file("fifo"))])
    }

    @Test func memoryStaysBoundedOnALineWithoutNewline() throws {
        // 20 MiB without a newline, through a 1 MiB cap: the buffer never grows past it.
        struct Endless: ByteSource {
            var left = 20 << 20
            mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
                let count = min(left, buffer.count)
                buffer.baseAddress?.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "x"), count: count)
                left -= count
                return count
            }
        }
        let reader = LineReader(source: Endless())
        var pieces = 0
        var largest = 0
        while let chunk = try reader.nextChunk() {
            pieces += 1
            largest = max(largest, reader.bufferCapacity)
            #expect(chunk.bytes.count <= LineReader.defaultMaxLineBytes)
        }
        #expect(largest <= LineReader.defaultMaxLineBytes + 1)
        #expect(pieces == 21)
        #expect(reader.truncatedLineCount == 1)
        #expect(reader.bytesRead == 20 << 20)
    }
}
