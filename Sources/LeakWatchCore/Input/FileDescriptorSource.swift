import Glibc

/// A ``ByteSource`` reading a file descriptor with `read(2)`: a file, a pipe, or stdin.
///
/// The descriptor is closed when the source is released if and only if `ownsDescriptor`
/// was true when it was made (true for ``open(path:)``, false for stdin).
public final class FileDescriptorSource: ByteSource {
    public let descriptor: Int32
    private let ownsDescriptor: Bool

    public init(descriptor: Int32, ownsDescriptor: Bool) {
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
    }

    /// Opens `path` for reading.
    ///
    /// - Throws: an ``InputError`` with the system's reason, e.g. `no such file or directory`.
    public static func open(path: String) throws(InputError) -> FileDescriptorSource {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw InputError(systemMessage(errno)) }
        return FileDescriptorSource(descriptor: descriptor, ownsDescriptor: true)
    }

    /// Standard input, which is left open.
    public static var standardInput: FileDescriptorSource {
        FileDescriptorSource(descriptor: STDIN_FILENO, ownsDescriptor: false)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = Glibc.read(descriptor, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            if errno == EAGAIN {
                // A non-blocking descriptor (some shells hand one over as stdin): wait.
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&poller, 1, -1)
                continue
            }
            throw InputError.system("read failed", errno: errno)
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }
}
