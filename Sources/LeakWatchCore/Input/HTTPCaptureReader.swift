/// Reads a captured HTTP/1.x response stream (what `curl -si`, `curl -si -L`, `curl -si
/// --raw` and `curl -si --compressed` write) one message at a time: its head, then its
/// body as a ``HTTPBodySource``.
///
/// curl's output is taken as it comes: `curl -si` removes the chunk framing but keeps the
/// `Transfer-Encoding: chunked` header, and `--compressed` decodes the body but keeps
/// `Content-Encoding` and the compressed `Content-Length`. So a chunked body is de-chunked
/// only if it starts with a chunk-size line, and a `Content-Length` is trusted only when
/// the body is not a client-decoded one (text where compressed data was announced).
///
/// Memory is bounded: a head may be at most ``maxHeadBytes`` long, and bodies stream.
public final class HTTPCaptureReader {
    /// The status line and headers of one message.
    public struct Head: Sendable {
        /// The 1-based index of the message in the capture.
        public let index: Int
        public let status: Int
        /// Header fields in order, names as written.
        public let fields: [Field]
        /// The head's bytes as captured, status line to blank line.
        public let bytes: [UInt8]
        /// The line of the status line in the capture.
        public let firstLine: Int
        /// The offset of the status line in the capture.
        public let byteOffset: Int
        /// Returns true if and only if the blank line that ends the head was read.
        public let isComplete: Bool

        public struct Field: Sendable, Equatable {
            public let name: String
            public let value: String
        }

        /// The values of the fields called `name` (ASCII case ignored), in order.
        public func values(_ name: String) -> [String] {
            fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }

        /// The comma-separated tokens of the fields called `name`, lowercased.
        public func tokens(_ name: String) -> [String] {
            var tokens: [String] = []
            for value in values(name) {
                for piece in value.split(separator: ",") {
                    let token = String(piece).trimmed(" \t").lowercased()
                    if !token.isEmpty { tokens.append(token) }
                }
            }
            return tokens
        }
    }

    /// The longest head read: 256 KiB.
    public static let maxHeadBytes = 256 * 1024

    private let reader: LookaheadReader
    private var currentBody: HTTPBodySource?
    private var messageCount = 0

    public init(upstream: any ByteSource) {
        reader = LookaheadReader(upstream: upstream)
    }

    /// Bytes of the capture read so far.
    public var bytesRead: Int { reader.bytesConsumed }
    /// Lines of the capture read so far.
    public var lineCount: Int { reader.newlinesConsumed + (reader.atLineStart ? 0 : 1) }

    /// Returns true if and only if `line` starts like a status line: `HTTP/`, a version,
    /// a blank, three digits, then a blank or the line end.
    public static func isStatusLine(_ line: some Collection<UInt8>) -> Bool {
        statusCode(line) != nil
    }

    static func statusCode(_ line: some Collection<UInt8>) -> Int? {
        let bytes = Array(line.prefix(16))
        guard bytes.starts(with: "HTTP/".utf8) else { return nil }
        var index = 5
        while index < bytes.count, bytes[index] == UInt8(ascii: ".") || isDigit(bytes[index]) { index += 1 }
        guard index > 5, index + 4 <= bytes.count, bytes[index] == UInt8(ascii: " ") else { return nil }
        let digits = bytes[(index + 1)..<(index + 4)]
        guard digits.allSatisfy(isDigit) else { return nil }
        if index + 4 < bytes.count, ![UInt8(ascii: " "), 0x0D, 0x0A].contains(bytes[index + 4]) { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// The next message's head, after skipping what is left of the previous body; nil at
    /// the end of the capture.
    ///
    /// - Throws: when the next bytes are not a status line, a head is longer than
    ///   ``maxHeadBytes``, or reading fails.
    public func nextHead() throws(InputError) -> Head? {
        if let body = currentBody {
            try body.skipRest()
            currentBody = nil
        }
        guard let first = try reader.peekLine(limit: 256) else { return nil }
        guard let status = Self.statusCode(first) else {
            throw InputError("line \(reader.lineNumber): expected an HTTP status line (HTTP/1.1 200 OK), found '\(Self.printable(first))'")
        }
        messageCount += 1
        let firstLine = reader.lineNumber, byteOffset = reader.bytesConsumed
        var bytes: [UInt8] = []
        var lines: [ArraySlice<UInt8>] = []
        var isComplete = false
        while let line = try reader.peekLine(limit: Self.maxHeadBytes) {
            guard line.last == 0x0A || line.count < Self.maxHeadBytes else {
                throw InputError("line \(reader.lineNumber): the head of message \(messageCount) is longer than \(binarySize(Self.maxHeadBytes))")
            }
            bytes += line
            guard bytes.count <= Self.maxHeadBytes else {
                throw InputError("line \(reader.lineNumber): the head of message \(messageCount) is longer than \(binarySize(Self.maxHeadBytes))")
            }
            reader.consume(line.count)
            var content = line
            if content.last == 0x0A { content = content.dropLast() }
            if content.last == 0x0D { content = content.dropLast() }
            if content.isEmpty {
                isComplete = true
                break
            }
            lines.append(ArraySlice(content))
        }
        return Head(index: messageCount, status: status, fields: Self.fields(lines.dropFirst()), bytes: bytes,
                    firstLine: firstLine, byteOffset: byteOffset, isComplete: isComplete)
    }

    /// The body of `head`, the message read last, framed as its headers and bytes say.
    public func body(of head: Head) throws(InputError) -> HTTPBodySource {
        let body: HTTPBodySource
        if !head.isComplete || head.status < 200 || head.status == 204 || head.status == 304 {
            body = HTTPBodySource(reader: reader, framing: .none, message: head.index)
        } else if head.tokens("Transfer-Encoding").contains("chunked"), try startsWithChunkSize() {
            body = HTTPBodySource(reader: reader, framing: .chunked, message: head.index)
        } else if let length = head.values("Content-Length").last.flatMap({ Int($0.trimmed(" \t")) }),
                  length >= 0, !(try isClientDecoded(head)) {
            // No body where one was announced: a HEAD request, `curl -I`, or a redirect
            // `curl -L` followed without printing its body.
            let next = try reader.peek(16)
            let isAbsent = next.isEmpty || Self.isStatusLine(next)
            body = HTTPBodySource(reader: reader, framing: isAbsent ? .none : .length(length), message: head.index)
        } else {
            body = HTTPBodySource(reader: reader, framing: .toNextMessage, message: head.index)
        }
        currentBody = body
        return body
    }

    private func startsWithChunkSize() throws(InputError) -> Bool {
        guard let line = try reader.peekLine(limit: 256) else { return false }
        return HTTPBodySource.chunkSize(line) != nil
    }

    /// Returns true if the head announces compression but the body is plain text: curl
    /// `--compressed` decoded it (and its Content-Length is the compressed size).
    private func isClientDecoded(_ head: Head) throws(InputError) -> Bool {
        guard let outer = head.tokens("Content-Encoding").last, outer != "identity" else { return false }
        return ContentDecoding.looksLikeText(try reader.peek(64))
    }

    private static func fields(_ lines: ArraySlice<ArraySlice<UInt8>>) -> [Head.Field] {
        var fields: [Head.Field] = []
        for line in lines {
            let text = String(decoding: line, as: UTF8.self)
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"), let last = fields.popLast() {
                fields.append(Head.Field(name: last.name, value: last.value + " " + text.trimmed(" \t")))
            } else if let colon = text.firstIndex(of: ":") {
                fields.append(Head.Field(name: String(text[..<colon]),
                                         value: String(text[text.index(after: colon)...]).trimmed(" \t")))
            }
        }
        return fields
    }

    /// The first bytes of `bytes` for an error message: printable ASCII as it is, every
    /// other byte as `\xNN`, the line end left out.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        var text = ""
        for byte in bytes.prefix(60) where byte != 0x0D && byte != 0x0A {
            if (0x20...0x7E).contains(byte) {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return text
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
}

extension String {
    /// The string without the given characters at either end.
    func trimmed(_ set: String) -> String {
        let characters = Set(set)
        guard let first = firstIndex(where: { !characters.contains($0) }),
              let last = lastIndex(where: { !characters.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}
