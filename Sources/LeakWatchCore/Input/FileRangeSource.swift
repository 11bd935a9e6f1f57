import Glibc

/// Reads bytes `start..<end` of an open file with `pread`, so several readers can share
/// one descriptor (a large log split into ranges scanned in parallel). The descriptor is
/// not owned: the caller closes it. `end` may lie past the end of the file.
struct FileRangeSource: ByteSource {
    private let descriptor: Int32
    private var offset: Int
    private let end: Int

    init(descriptor: Int32, start: Int, end: Int) {
        self.descriptor = descriptor
        self.offset = start
        self.end = end
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let wanted = min(buffer.count, end - offset)
        guard wanted > 0, let base = buffer.baseAddress else { return 0 }
        while true {
            let count = pread(descriptor, base, wanted, off_t(offset))
            if count >= 0 {
                offset += count
                return count
            }
            if errno != EINTR { throw .system("read", errno: errno) }
        }
    }
}
