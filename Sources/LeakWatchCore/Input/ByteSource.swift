// Input/: bytes, lines and files. It knows nothing of rules or output.

/// Why reading an input failed. The message is lowercase, names no path (the caller that
/// knows the path adds it) and has no final period.
public struct InputError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    /// Where in the input the fault is, when known (invalid JSON in a HAR file).
    public let line: Int?
    public let column: Int?

    public init(_ message: String, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// An error from a failed system call, with the C library's text for `errno`.
    static func system(_ action: String, errno code: Int32) -> InputError {
        InputError("\(action): \(systemMessage(code))")
    }

    public var description: String { message }
}

/// A stream of bytes read in blocks: a file descriptor, a decompressor, or memory.
public protocol ByteSource {
    /// Reads at most `buffer.count` bytes into `buffer` and returns how many were read;
    /// 0 means end of input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

/// An in-memory ``ByteSource`` for tests and embedders, which hands out at most
/// `blockSize` bytes per read (to exercise every split of the input).
public struct BytesSource: ByteSource {
    private let bytes: [UInt8]
    private let blockSize: Int
    private var position = 0

    public init<Bytes: Sequence<UInt8>>(_ bytes: Bytes, blockSize: Int = .max) {
        precondition(blockSize > 0, "block size must be positive")
        self.bytes = Array(bytes)
        self.blockSize = blockSize
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let count = min(buffer.count, blockSize, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<position + count]))
        }
        position += count
        return count
    }
}

/// A ``ByteSource`` that first returns bytes already taken from `upstream` (for example
/// to sniff a format), then the rest of `upstream`.
public struct PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var prefixPosition = 0
    private var upstream: any ByteSource

    public init(prefix: [UInt8], upstream: any ByteSource) {
        self.prefix = prefix
        self.upstream = upstream
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if prefixPosition < prefix.count {
            let count = min(buffer.count, prefix.count - prefixPosition)
            prefix.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[prefixPosition..<prefixPosition + count]))
            }
            prefixPosition += count
            return count
        }
        return try upstream.read(into: buffer)
    }
}

/// Reads the first `count` bytes of `source` (fewer at its end), to tell its format: the
/// caller goes on with `PrefixedSource(prefix:upstream:)` so no byte is lost.
func readPrefix(of source: inout any ByteSource, count: Int) throws(InputError) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
    defer { buffer.deallocate() }
    var filled = 0
    while filled < count {
        let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
        if read == 0 { break }
        filled += read
    }
    return Array(buffer[..<filled])
}
