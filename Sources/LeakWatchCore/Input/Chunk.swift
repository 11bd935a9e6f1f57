import Glibc

/// A run of lines handed out by ``LineReader``: either whole lines, or one piece of a line
/// longer than the reader's cap.
///
/// The bytes point into the reader's buffer and are valid only until the reader's next
/// call; copy what must outlive it.
public struct Chunk {
    /// The bytes of the chunk, line terminators included. In a chunk of whole lines every
    /// line ends in `\n` except, at the end of input, the last.
    public let bytes: UnsafeRawBufferPointer
    /// The 1-based number of the first line in the chunk.
    public let firstLineNumber: Int
    /// The offset of `bytes[0]` from the start of the input.
    public let byteOffset: Int
    /// Set when the chunk is one piece of an over-long line; nil for whole lines.
    public let piece: LinePiece?

    /// Calls `body` with each line of the chunk, terminator (`\n` or `\r\n`) removed.
    ///
    /// - Complexity: O(n) in the chunk's size.
    public func forEachLine(_ body: (Line) throws -> Void) rethrows {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        var index = 0
        while start < bytes.count {
            let end: Int
            if piece == nil, let newline = memchr(base + start, 0x0A, bytes.count - start) {
                end = base.distance(to: UnsafeRawPointer(newline)) + 1
            } else {
                end = bytes.count
            }
            try body(line(index, from: start, to: end))
            index += 1
            start = end
        }
    }

    /// The line at `start..<end` of the chunk (`end` after its `\n`, if it has one), the
    /// `index`-th of the chunk, with its terminator removed; a piece that does not end
    /// the line keeps every byte.
    public func line(_ index: Int, from start: Int, to end: Int) -> Line {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        let length = piece?.isLast == false ? raw.count : Line.contentLength(raw)
        return Line(bytes: UnsafeRawBufferPointer(rebasing: raw[..<length]),
                    number: firstLineNumber + index, byteOffset: byteOffset + start, piece: piece)
    }
}

/// Where a piece of an over-long line sits in that line.
///
/// A line longer than the cap is handed out in pieces of at most the cap, each piece
/// after the first repeating the last `overlap` bytes of the one before, so a match that
/// straddles a boundary is still seen whole.
public struct LinePiece: Equatable, Sendable {
    /// How many bytes of the line come before this piece.
    public let offsetInLine: Int
    /// How many leading bytes of this piece the previous piece also held (0 for the first).
    public let overlap: Int
    /// Returns true if and only if this piece holds the end of the line.
    public let isLast: Bool
}

/// One line (or one piece of an over-long line) without its terminator.
public struct Line {
    /// The line's bytes, without `\n` or `\r\n`. Valid only while its chunk is.
    public let bytes: UnsafeRawBufferPointer
    /// The 1-based line number.
    public let number: Int
    /// The offset of `bytes[0]` from the start of the input.
    public let byteOffset: Int
    /// Set when this is one piece of a line longer than the reader's cap.
    public let piece: LinePiece?

    /// Returns true if and only if the line was longer than the cap and this is a piece of it.
    public var isTruncated: Bool { piece != nil }

    /// The length of `line` without its `\n` or `\r\n` terminator.
    static func contentLength(_ line: UnsafeRawBufferPointer) -> Int {
        var length = line.count
        if length > 0, line[length - 1] == 0x0A {
            length -= 1
            if length > 0, line[length - 1] == 0x0D { length -= 1 }
        }
        return length
    }
}
