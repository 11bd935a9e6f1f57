import Testing
@testable import LeakWatchCore

/// One line as the tests see it: a copy of what `LineReader` handed out.
struct ReadLine: Equatable, CustomStringConvertible {
    var number: Int
    var byteOffset: Int
    var text: [UInt8]
    var piece: LinePiece?

    var description: String {
        "\(number)@\(byteOffset) \(String(decoding: text, as: UTF8.self).debugDescription)\(piece.map { " \($0)" } ?? "")"
    }
}

func readLines(_ input: [UInt8], bufferSize: Int = LineReader.defaultBufferSize,
               maxLineBytes: Int = LineReader.defaultMaxLineBytes, blockSize: Int = .max) throws -> [ReadLine] {
    let reader = LineReader(source: BytesSource(input, blockSize: blockSize), bufferSize: bufferSize, maxLineBytes: maxLineBytes)
    var lines: [ReadLine] = []
    while let chunk = try reader.nextChunk() {
        chunk.forEachLine { line in
            lines.append(ReadLine(number: line.number, byteOffset: line.byteOffset, text: Array(line.bytes), piece: line.piece))
        }
    }
    return lines
}

func readLines(_ text: String, bufferSize: Int = LineReader.defaultBufferSize,
               maxLineBytes: Int = LineReader.defaultMaxLineBytes) throws -> [ReadLine] {
    try readLines(Array(text.utf8), bufferSize: bufferSize, maxLineBytes: maxLineBytes)
}

func line(_ number: Int, _ offset: Int, _ text: String) -> ReadLine {
    ReadLine(number: number, byteOffset: offset, text: Array(text.utf8), piece: nil)
}

@Suite struct LineReaderTests {
    @Test func emptyInputHasNoLines() throws {
        #expect(try readLines("") == [])
    }

    @Test func aLoneNewlineIsOneEmptyLine() throws {
        #expect(try readLines("\n") == [line(1, 0, "")])
    }

    @Test func twoNewlinesAreTwoEmptyLines() throws {
        #expect(try readLines("\n\n") == [line(1, 0, ""), line(2, 1, "")])
    }

    @Test func lastLineWithoutNewlineIsReturned() throws {
        #expect(try readLines("a\nbc") == [line(1, 0, "a"), line(2, 2, "bc")])
    }

    @Test func crlfIsRemovedButALoneCarriageReturnIsKept() throws {
        #expect(try readLines("a\r\nb\rc\r\n\r\n") == [line(1, 0, "a"), line(2, 3, "b\rc"), line(3, 8, "")])
    }

    @Test func nulBytesStayInTheLineAndTheFirstIsRecorded() throws {
        let input: [UInt8] = Array("ok\n".utf8) + [0x61, 0x00, 0x62, 0x0A, 0x00]
        let reader = LineReader(source: BytesSource(input))
        var lines: [[UInt8]] = []
        while let chunk = try reader.nextChunk() { chunk.forEachLine { lines.append(Array($0.bytes)) } }
        #expect(lines == [Array("ok".utf8), [0x61, 0x00, 0x62], [0x00]])
        #expect(reader.firstNULOffset == 4)
    }

    @Test func invalidUTF8IsPassedThroughUnchanged() throws {
        let input: [UInt8] = [0xFF, 0xFE, 0x0A, 0xC3, 0x28, 0x0A]
        #expect(try readLines(input).map(\.text) == [[0xFF, 0xFE], [0xC3, 0x28]])
    }

    @Test func aLineOfExactlyTheCapIsWhole() throws {
        let lines = try readLines("abcdefgh\nx\n", maxLineBytes: 8)
        #expect(lines == [line(1, 0, "abcdefgh"), line(2, 9, "x")])
    }

    @Test func aLineOfExactlyTheCapWithoutNewlineIsWhole() throws {
        #expect(try readLines("abcdefgh", maxLineBytes: 8) == [line(1, 0, "abcdefgh")])
    }

    @Test func aLineOfCapPlusOneIsSplitIntoOverlappingPieces() throws {
        let lines = try readLines("abcdefghi\nxy\n", maxLineBytes: 8)
        // overlap is half the cap here: 4 bytes.
        #expect(lines == [
            ReadLine(number: 1, byteOffset: 0, text: Array("abcdefgh".utf8),
                     piece: LinePiece(offsetInLine: 0, overlap: 0, isLast: false)),
            ReadLine(number: 1, byteOffset: 4, text: Array("efghi".utf8),
                     piece: LinePiece(offsetInLine: 4, overlap: 4, isLast: true)),
            line(2, 10, "xy"),
        ])
    }

    @Test func piecesOfAnOverlongLineCoverEveryByte() throws {
        let long = (0..<1000).map { UInt8(0x30 + $0 % 10) }
        let reader = LineReader(source: BytesSource(long + [0x0A] + Array("tail\n".utf8), blockSize: 7),
                                bufferSize: 16, maxLineBytes: 64)
        var rebuilt: [UInt8] = []
        var numbers: [Int] = []
        while let chunk = try reader.nextChunk() {
            chunk.forEachLine { line in
                numbers.append(line.number)
                if let piece = line.piece {
                    #expect(line.bytes.count <= 64)
                    #expect(piece.offsetInLine == rebuilt.count - piece.overlap)
                    rebuilt += line.bytes.dropFirst(piece.overlap)
                }
            }
        }
        #expect(rebuilt == long)
        #expect(Set(numbers) == [1, 2])
        #expect(reader.truncatedLineCount == 1)
        #expect(reader.lineCount == 2)
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096, 64 * 1024])
    func bufferSizeDoesNotChangeTheLines(bufferSize: Int) throws {
        var input: [UInt8] = []
        for index in 0..<300 {
            input += Array("line \(index) ".utf8) + Array(repeating: UInt8(0x61 + index % 26), count: index % 97)
            input += index % 5 == 0 ? [0x0D, 0x0A] : [0x0A]
            if index % 50 == 0 { input += [0xFF, 0x00, 0x0A] }
        }
        input += Array("no newline at the end".utf8)
        let expected = try readLines(input, bufferSize: 64 * 1024)
        #expect(expected.count == 307)
        #expect(try readLines(input, bufferSize: bufferSize) == expected)
        #expect(try readLines(input, bufferSize: bufferSize, blockSize: 3) == expected)
    }

    @Test(arguments: [1, 5, 64])
    func bufferSizeDoesNotChangeThePiecesOfLongLines(bufferSize: Int) throws {
        let input = Array((String(repeating: "0123456789", count: 30) + "\nshort\n" + String(repeating: "x", count: 77)).utf8)
        let expected = try readLines(input, bufferSize: 4096, maxLineBytes: 50)
        #expect(try readLines(input, bufferSize: bufferSize, maxLineBytes: 50) == expected)
        #expect(expected.last?.piece?.isLast == true)
    }

    @Test func aReadErrorComesAfterTheBytesReadBeforeIt() throws {
        struct FailingSource: ByteSource {
            var sent = false
            mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
                if sent { throw InputError("disk on fire") }
                sent = true
                let bytes = Array("one\ntwo".utf8)
                buffer.copyBytes(from: bytes)
                return bytes.count
            }
        }
        let reader = LineReader(source: FailingSource())
        var lines: [String] = []
        var failure: InputError?
        do {
            while let chunk = try reader.nextChunk() {
                chunk.forEachLine { lines.append(String(decoding: $0.bytes, as: UTF8.self)) }
            }
        } catch {
            failure = error
        }
        #expect(lines == ["one", "two"])
        #expect(failure == InputError("disk on fire"))
    }

    @Test func newlineCountAndLastNewlineAgreeWithAPlainLoop() {
        for length in [0, 1, 31, 32, 33, 64, 255 * 32 + 5, 20_000] {
            let bytes = (0..<length).map { UInt8(($0 * 7919) % 13 == 0 ? 0x0A : 0x41) }
            bytes.withUnsafeBytes { raw in
                let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                #expect(LineReader.countNewlines(base, length) == bytes.filter { $0 == 0x0A }.count)
                #expect(LineReader.lastNewline(base, length) == bytes.lastIndex(of: 0x0A))
            }
        }
    }
}
