/// Takes a container runtime's wrapping off a log line, so rules see what the program
/// wrote:
/// - Docker `json-file`: `{"log":"<text>\n","stream":"stderr","time":"…"}`. A `log`
///   value without its final `\n` is a partial line (Docker splits lines over 16 KiB);
///   the parts are joined.
/// - Kubernetes CRI: `<RFC 3339 time> <stdout|stderr> <P|F> <text>`; `P` parts are joined
///   up to the `F` part.
///
/// A joined line is reported at the line of its first part. Parts are joined up to
/// `maxBytes`; past that, what was gathered is handed out as a line of its own, so memory
/// stays bounded.
///
/// - Complexity: O(n) in the line's length; writes into the caller's reused buffer.
public struct ContainerLogUnwrapper {
    public enum Outcome: Equatable {
        /// The line is not a container log line; nothing was written.
        case notWrapped
        /// A partial line, held until the rest arrives; nothing was written.
        case held
        /// The unwrapped line was written; it started at this line and byte offset.
        case unwrapped(number: Int, byteOffset: Int)
    }

    public let maxBytes: Int
    private var pending: [UInt8] = []
    private var pendingStart: (number: Int, byteOffset: Int)?

    public init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// How a Docker `json-file` line starts: Docker writes no blank, other tools one.
    static let dockerStarts = [Array(#"{"log":""#.utf8), Array(#"{"log": ""#.utf8)]

    /// Unwraps `line`, writing the program's text to `output` when a whole line is ready.
    public mutating func unwrap(_ line: Line, into output: inout [UInt8]) -> Outcome {
        let bytes = line.bytes
        if let start = Self.dockerStarts.first(where: { bytes.starts(with: $0) }) {
            let mark = output.count
            _ = JSONStringUnescaper.appendString(bytes, from: start.count, into: &output)
            let isWhole = output.count > mark && output[output.count - 1] == 0x0A
            if isWhole { output.removeLast() }
            return join(Array(output[mark...]), isWhole: isWhole, line: line, output: &output, mark: mark)
        }
        if let (isWhole, textStart) = Self.criHeader(bytes) {
            let mark = output.count
            output.append(contentsOf: bytes[textStart...])
            return join(Array(output[mark...]), isWhole: isWhole, line: line, output: &output, mark: mark)
        }
        return .notWrapped
    }

    /// The input offset and line number of the first part of a held partial line, or nil.
    public var heldStart: (byteOffset: Int, line: Int)? { pendingStart.map { ($0.byteOffset, $0.number) } }

    /// Hands out a held partial line at the end of the input, or returns nil.
    public mutating func flush(into output: inout [UInt8]) -> (number: Int, byteOffset: Int)? {
        guard let start = pendingStart else { return nil }
        output.append(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
        pendingStart = nil
        return start
    }

    private mutating func join(_ part: [UInt8], isWhole: Bool, line: Line, output: inout [UInt8], mark: Int) -> Outcome {
        output.removeSubrange(mark...)
        if pendingStart == nil { pendingStart = (line.number, line.byteOffset) }
        pending.append(contentsOf: part)
        guard isWhole || pending.count >= maxBytes, let start = flush(into: &output) else { return .held }
        return .unwrapped(number: start.number, byteOffset: start.byteOffset)
    }

    /// For a CRI line, whether it is a full (`F`) line and where its text starts.
    static func criHeader(_ bytes: UnsafeRawBufferPointer) -> (isWhole: Bool, textStart: Int)? {
        guard let first = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
              let timeEnd = bytes.firstIndex(of: UInt8(ascii: " ")), timeEnd >= 10,
              bytes[..<timeEnd].contains(UInt8(ascii: "T")) else { return nil }
        let streamStart = timeEnd + 1
        for stream in ["stdout ", "stderr "] {
            let name = Array(stream.utf8)
            let tagAt = streamStart + name.count
            guard tagAt + 1 <= bytes.count, bytes[streamStart..<tagAt].elementsEqual(name) else { continue }
            let tag = bytes[tagAt]
            guard tag == UInt8(ascii: "F") || tag == UInt8(ascii: "P") else { return nil }
            if tagAt + 1 == bytes.count { return (tag == UInt8(ascii: "F"), tagAt + 1) }
            guard bytes[tagAt + 1] == UInt8(ascii: " ") else { return nil }
            return (tag == UInt8(ascii: "F"), tagAt + 2)
        }
        return nil
    }
}
