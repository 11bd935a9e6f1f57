/// Tells, line by line, whether an input is a captured HTTP response stream (`curl -si`
/// output: status line, headers, a blank line, the body; several messages in a row, as
/// `curl -si -L` writes them) and which part each line is.
///
/// The first line decides: an HTTP/1.x or HTTP/2 status line (`HTTP/1.1 500 INTERNAL
/// SERVER ERROR`) makes the input a response stream; anything else makes it a log. In a
/// body, a line that is a status line starts the next message. (Bodies are not decoded
/// here: chunked and compressed bodies are read as they are.)
public struct HTTPResponseTracker {
    private enum State { case firstLine, log, header, afterInterim, body }
    private var state = State.firstLine

    /// The status of the current message, or nil in a log.
    public private(set) var status: Int?
    /// The 1-based index of the current message; 0 in a log.
    public private(set) var messageIndex = 0

    public init() {}

    /// Returns true if and only if the input has turned out to be a log.
    public var isLog: Bool { state == .log }

    /// The context of `line`, the next line of the input.
    public mutating func classify(_ line: UnsafeRawBufferPointer) -> RuleContext {
        switch state {
        case .log:
            return .log
        case .firstLine:
            guard let code = Self.statusCode(line) else {
                state = .log
                return .log
            }
            startMessage(code)
            return .header
        case .header:
            if line.isEmpty { state = (status ?? 0) < 200 ? .afterInterim : .body }
            return .header
        case .afterInterim:
            if let code = Self.statusCode(line) {
                startMessage(code)
                return .header
            }
            if line.isEmpty { return .header }
            state = .body
            return .body
        case .body:
            if let code = Self.statusCode(line) {
                startMessage(code)
                return .header
            }
            return .body
        }
    }

    private mutating func startMessage(_ code: Int) {
        status = code
        messageIndex += 1
        state = .header
    }

    /// The status code of a status line (`HTTP/<version> <3 digits>[ reason]`), or nil.
    static func statusCode(_ line: UnsafeRawBufferPointer) -> Int? {
        guard line.starts(with: "HTTP/".utf8) else { return nil }
        var index = 5
        while index < line.count, line[index] == UInt8(ascii: ".") || (0x30...0x39).contains(line[index]) { index += 1 }
        guard index > 5, index + 4 <= line.count, line[index] == UInt8(ascii: " ") else { return nil }
        var code = 0
        for digit in line[(index + 1)..<(index + 4)] {
            guard (0x30...0x39).contains(digit) else { return nil }
            code = code * 10 + Int(digit - 0x30)
        }
        guard index + 4 == line.count || line[index + 4] == UInt8(ascii: " ") else { return nil }
        return code
    }
}
