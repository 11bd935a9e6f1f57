/// The body of one message of a captured HTTP stream, as a ``ByteSource``: chunk framing
/// removed when the body has it, ending where the message ends.
///
/// What is wrong with the framing but can be read on (a chunk size that is not hex or is
/// wrong, a Content-Length that the body runs past) is recorded in ``problems`` and the
/// body is read on to the next status line; a capture that ends inside the body is
/// thrown as an error once the bytes before it are handed out.
public final class HTTPBodySource: ByteSource {
    /// How the end of the body is found.
    public enum Framing: Equatable, Sendable {
        /// No body (1xx, 204, 304, or a head cut short).
        case none
        /// `Content-Length` bytes.
        case length(Int)
        /// Chunks (`Transfer-Encoding: chunked` with the framing still in the capture).
        case chunked
        /// Up to the next status line or the end of the capture.
        case toNextMessage
    }

    private enum State {
        case length(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int, size: Int, line: Int)
        case chunkEnd(size: Int, line: Int)
        case toNextMessage
        case done
    }

    public let framing: Framing
    /// Where lines of the body are in the capture.
    public let lineMap = BodyLineMap()
    /// A framing fault the body was read past.
    public struct Problem: Sendable, Equatable {
        /// The line of the capture where it is.
        public let line: Int
        public let message: String
    }

    /// Framing faults the body was read past, in order.
    public private(set) var problems: [Problem] = []

    private let reader: LookaheadReader
    private let message: Int
    private var state: State
    private var delivered = 0
    private var deliveredNewlines = 0

    init(reader: LookaheadReader, framing: Framing, message: Int) {
        self.reader = reader
        self.framing = framing
        self.message = message
        switch framing {
        case .none: state = .done
        case .length(let count): state = .length(remaining: count)
        case .chunked: state = .chunkSize
        case .toNextMessage: state = .toNextMessage
        }
        if framing != .chunked { markPosition() }
    }

    /// The chunk size on a chunk-size line (hex digits, then optional blanks and
    /// `;extensions`), or nil if `line` is not one.
    static func chunkSize(_ line: some Collection<UInt8>) -> Int? {
        var size = 0
        var digits = 0
        var rest = line[...]
        while let byte = rest.first, let value = hexValue(byte) {
            guard digits < 15 else { return nil }
            size = size << 4 | Int(value)
            digits += 1
            rest = rest.dropFirst()
        }
        guard digits > 0 else { return nil }
        while let byte = rest.first, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { rest = rest.dropFirst() }
        guard let next = rest.first else { return size }
        return next == UInt8(ascii: ";") || next == 0x0D || next == 0x0A ? size : nil
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        while true {
            switch state {
            case .done:
                return 0
            case .length(let remaining):
                if remaining == 0 {
                    try endOfLength()
                    continue
                }
                let count = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, remaining)]),
                                            stopAtNewline: false)
                if count == 0 {
                    state = .done
                    throw InputError("the body ends after \(delivered) of the \(totalLength) bytes its Content-Length announces: the capture is truncated")
                }
                state = .length(remaining: remaining - count)
                return deliver(buffer, count)
            case .chunkSize:
                try readChunkSize()
            case .chunkData(let remaining, let size, let line):
                let count = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, remaining)]),
                                            stopAtNewline: false)
                if count == 0 {
                    state = .done
                    throw InputError("the body ends inside the chunk of \(size) bytes that starts at line \(line), \(remaining) bytes short: the capture is truncated")
                }
                state = remaining == count ? .chunkEnd(size: size, line: line) : .chunkData(remaining: remaining - count, size: size, line: line)
                return deliver(buffer, count)
            case .chunkEnd(let size, let line):
                let next = try reader.peek(2)
                if next.starts(with: [0x0D, 0x0A]) {
                    reader.consume(2)
                } else if next.first == 0x0A {
                    reader.consume(1)
                } else if next.isEmpty {
                    state = .done
                    throw InputError("the body ends after a chunk, before the last (empty) chunk: the capture is truncated")
                } else {
                    problems.append(Problem(line: line, message: "the chunk said to hold \(size) bytes is not followed by a line end: its size is wrong; the rest of the body is read up to the next message"))
                    state = .toNextMessage
                    markPosition()
                    continue
                }
                state = .chunkSize
            case .toNextMessage:
                if reader.atLineStart, HTTPCaptureReader.isStatusLine(try reader.peek(16)) {
                    state = .done
                    return 0
                }
                let count = try reader.read(into: buffer, stopAtNewline: true)
                if count == 0 {
                    state = .done
                    return 0
                }
                return deliver(buffer, count)
            }
        }
    }

    /// Reads and drops what is left of the body (so the next head can be read).
    func skipRest() throws(InputError) {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 1)
        defer { scratch.deallocate() }
        while try read(into: scratch) > 0 {}
    }

    private var totalLength: Int {
        if case .length(let total) = framing { return total }
        return 0
    }

    private func deliver(_ buffer: UnsafeMutableRawBufferPointer, _ count: Int) -> Int {
        delivered += count
        deliveredNewlines += UnsafeRawBufferPointer(rebasing: buffer[..<count]).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        return count
    }

    /// Notes that the next body byte is the next capture byte (body start, chunk start).
    private func markPosition() {
        lineMap.add(BodyLineMap.Point(bodyOffset: delivered, bodyLine: deliveredNewlines + 1,
                                      captureOffset: reader.bytesConsumed, captureLine: reader.lineNumber))
    }

    /// After the announced bytes: the next message, blank lines before it, or the end are
    /// expected; anything else means the Content-Length was wrong.
    private func endOfLength() throws(InputError) {
        let ahead = try reader.peek(80)
        let blanks = ahead.prefix { $0 == 0x0D || $0 == 0x0A }
        let after = ahead.dropFirst(blanks.count)
        let nextMessage = HTTPCaptureReader.isStatusLine(after) && (reader.atLineStart || !blanks.isEmpty)
        if after.isEmpty || nextMessage {
            reader.consume(blanks.count)
            state = .done
            return
        }
        problems.append(Problem(line: reader.lineNumber, message: "the body runs on past the \(totalLength) bytes its Content-Length announces; it is read up to the next message"))
        state = .toNextMessage
        markPosition()
    }

    private func readChunkSize() throws(InputError) {
        guard let line = try reader.peekLine(limit: 1024) else {
            state = .done
            throw InputError("the body ends before its last (empty) chunk: the capture is truncated")
        }
        guard let size = Self.chunkSize(line) else {
            problems.append(Problem(line: reader.lineNumber, message: "'\(HTTPCaptureReader.printable(line))' is not a chunk size (hex digits); the rest of the body is read up to the next message"))
            state = .toNextMessage
            markPosition()
            return
        }
        let sizeLine = reader.lineNumber
        reader.consume(line.count)
        if size == 0 {
            // Trailer fields, then the blank line.
            while let trailer = try reader.peekLine(limit: 64 * 1024) {
                reader.consume(trailer.count)
                if trailer.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) { break }
            }
            state = .done
            return
        }
        markPosition()
        state = .chunkData(remaining: size, size: size, line: sizeLine)
    }
}

/// Where the lines of a decoded (de-chunked) body sit in the capture: one point per run
/// of body bytes copied unchanged from the capture (the body's start, each chunk's data).
///
/// - Invariant: at most ``maxPoints`` points are kept (a body of a million tiny chunks
///   stops mapping, rather than growing without bound); past that, ``isComplete`` is
///   false and later lines have no place in the capture.
public final class BodyLineMap {
    public struct Point: Sendable, Equatable {
        public let bodyOffset: Int
        public let bodyLine: Int
        public let captureOffset: Int
        public let captureLine: Int
    }

    public static let maxPoints = 1 << 20
    public private(set) var points: [Point] = []
    public private(set) var isComplete = true

    func add(_ point: Point) {
        if let last = points.last, last.bodyOffset == point.bodyOffset { points.removeLast() }
        guard points.count < Self.maxPoints else {
            isComplete = false
            return
        }
        points.append(point)
    }

    /// The capture line of body line `line` (of where it starts); nil when the map does
    /// not reach it.
    public func captureLine(bodyLine line: Int) -> Int? {
        guard let point = points.last(where: { $0.bodyLine <= line }), isComplete || point != points.last else { return nil }
        return point.captureLine + line - point.bodyLine
    }

    /// The capture line and offset of the body byte at `offset`, on body line `line`; nil
    /// when the map does not reach it.
    public func capturePosition(bodyLine line: Int, bodyOffset offset: Int) -> (line: Int, offset: Int)? {
        var low = 0, high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].bodyOffset <= offset { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let point = points[low - 1]
        if !isComplete, low == points.count { return nil }
        return (point.captureLine + line - point.bodyLine, point.captureOffset + offset - point.bodyOffset)
    }
}
