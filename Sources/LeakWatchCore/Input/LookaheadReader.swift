/// Reads a ``ByteSource`` through a buffer that can be looked into before it is consumed,
/// counting the lines and bytes consumed: what a parser of a line-framed format (an HTTP
/// message stream) needs.
///
/// - Invariant: `buffer[start..<end]` holds read but unconsumed bytes; at most
///   `capacity` bytes are ever held, so memory is bounded whatever the input.
final class LookaheadReader {
    private var upstream: any ByteSource
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var upstreamEnded = false
    /// A read error, held back until the bytes before it are consumed.
    private var pendingError: InputError?

    /// Newlines consumed so far; the number of the current line is one more.
    private(set) var newlinesConsumed = 0
    /// Bytes consumed so far.
    private(set) var bytesConsumed = 0
    /// Returns true if and only if the next byte starts a line.
    private(set) var atLineStart = true

    /// - Parameter capacity: the most bytes looked ahead at once (at least 64 KiB).
    init(upstream: any ByteSource, capacity: Int = 64 * 1024) {
        self.upstream = upstream
        self.buffer = [UInt8](repeating: 0, count: max(capacity, 64 * 1024))
    }

    /// The 1-based number of the line the next byte belongs to.
    var lineNumber: Int { newlinesConsumed + 1 }

    /// The next `count` bytes (fewer only at the end of input), not consumed.
    ///
    /// - Throws: a read error, once the bytes before it have been consumed.
    func peek(_ count: Int) throws(InputError) -> ArraySlice<UInt8> {
        precondition(count <= buffer.count, "peek beyond the look-ahead capacity")
        while end - start < count, !upstreamEnded, pendingError == nil { try fill() }
        if end == start, let error = pendingError { throw error }
        return buffer[start..<min(end, start + count)]
    }

    /// The next line, its terminator included, if it ends within `limit` bytes; nil at the
    /// end of input. A line longer than `limit` comes back cut at `limit` bytes.
    func peekLine(limit: Int) throws(InputError) -> ArraySlice<UInt8>? {
        let limit = min(limit, buffer.count)
        var searched = 0
        while true {
            if let newline = buffer[(start + searched)..<end].firstIndex(of: 0x0A) {
                return buffer[start...newline]
            }
            searched = end - start
            if searched >= limit || upstreamEnded || pendingError != nil {
                if end == start {
                    if let error = pendingError { throw error }
                    return nil
                }
                return buffer[start..<min(end, start + limit)]
            }
            try fill()
        }
    }

    /// Consumes `count` bytes that were peeked.
    func consume(_ count: Int) {
        precondition(count <= end - start, "consuming bytes not yet peeked")
        account(buffer[start..<(start + count)])
        start += count
    }

    /// Copies up to `output.count` bytes into `output` and consumes them, stopping after a
    /// newline when `stopAtNewline` is set; returns 0 only at the end of input.
    func read(into output: UnsafeMutableRawBufferPointer, stopAtNewline: Bool) throws(InputError) -> Int {
        if start == end {
            if upstreamEnded { return 0 }
            if let error = pendingError { throw error }
            try fill()
            if start == end { return try read(into: output, stopAtNewline: stopAtNewline) }
        }
        var count = min(output.count, end - start)
        if stopAtNewline, let newline = buffer[start..<(start + count)].firstIndex(of: 0x0A) {
            count = newline + 1 - start
        }
        buffer.withUnsafeBytes { bytes in
            output.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)]))
        }
        consume(count)
        return count
    }

    private func account(_ bytes: ArraySlice<UInt8>) {
        guard let last = bytes.last else { return }
        bytesConsumed += bytes.count
        newlinesConsumed += bytes.withUnsafeBufferPointer { UnsafeRawBufferPointer($0).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
        atLineStart = last == 0x0A
    }

    private func fill() throws(InputError) {
        if start > 0 {
            buffer.withUnsafeMutableBytes { bytes in
                if let base = bytes.baseAddress, end > start { base.copyMemory(from: base + start, byteCount: end - start) }
            }
            end -= start
            start = 0
        }
        guard end < buffer.count else { return }
        var failure: InputError?
        let count = buffer.withUnsafeMutableBytes { bytes -> Int in
            do throws(InputError) {
                return try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[end...]))
            } catch {
                failure = error
                return 0
            }
        }
        if let failure {
            pendingError = failure
        } else if count == 0 {
            upstreamEnded = true
        }
        end += count
    }
}
