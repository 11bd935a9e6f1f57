import Glibc

/// Why output could not be written.
public struct OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `errno` of the failed write.
    public let code: Int32

    /// Returns true if and only if the reader went away (a closed pipe): not a failure
    /// of the scan, just the end of the output.
    public var isBrokenPipe: Bool { code == EPIPE }

    public var description: String {
        guard let text = strerror(code) else { return "cannot write output: error \(code)" }
        let message = String(cString: text)
        return "cannot write output: " + (message.first.map { $0.lowercased() + message.dropFirst() } ?? message)
    }
}

/// A buffered writer to a file descriptor (stdout by default), flushed on demand.
///
/// Write errors are reported, never ignored: a full disk or a closed pipe surfaces as an
/// ``OutputError`` from the write or flush that met it.
public final class OutputStream {
    public let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int

    /// Buffers up to `capacity` bytes between writes. This is 64 KiB by default.
    public init(descriptor: Int32 = STDOUT_FILENO, capacity: Int = 64 * 1024) {
        self.descriptor = descriptor
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    /// Returns true if and only if the descriptor is a terminal.
    public var isTerminal: Bool { isatty(descriptor) == 1 }

    public func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { try flush() }
    }

    /// Writes out everything buffered.
    public func flush() throws(OutputError) {
        var written = 0
        while written < buffer.count {
            let count = buffer.withUnsafeBytes { bytes in
                let rest = UnsafeRawBufferPointer(rebasing: bytes[written...])
                return Glibc.write(descriptor, rest.baseAddress, rest.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                buffer.removeAll(keepingCapacity: true)
                throw OutputError(code: code)
            }
            written += count
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
