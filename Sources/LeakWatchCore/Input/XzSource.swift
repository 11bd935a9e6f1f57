import CLzma

/// A ``ByteSource`` that decompresses xz data (`.xz` rotated logs) read from `upstream`
/// as it is read. Concatenated streams are read, as `xz -d` does.
///
/// Data that is not xz or that ends inside a stream is an error; everything
/// decompressed before the fault has already been returned.
public final class XzSource: ByteSource {
    /// The six bytes every xz stream starts with.
    public static let magic: [UInt8] = [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]

    private var upstream: any ByteSource
    private let stream: UnsafeMutablePointer<lzma_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamEnded = false
    private var finished = false
    private let initialized: Bool

    /// Reads from `upstream` through a buffer of `inputBufferSize` bytes. This is 64 KiB
    /// by default.
    public init(upstream: any ByteSource, inputBufferSize: Int = 64 * 1024) {
        self.upstream = upstream
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: clzma_stream_init())
        self.input = .allocate(byteCount: max(1, inputBufferSize), alignment: 16)
        // No memory limit beyond what xz's own presets need; LZMA_CONCATENATED reads
        // every stream of the file.
        initialized = lzma_stream_decoder(stream, UInt64.max, clzma_concatenated()) == LZMA_OK
    }

    deinit {
        lzma_end(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard initialized else { throw InputError("cannot start xz decompression (out of memory)") }
        guard let base = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        stream.pointee.next_out = base.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = buffer.count
        while stream.pointee.avail_out == buffer.count {
            if stream.pointee.avail_in == 0 && !upstreamEnded {
                let count = try upstream.read(into: input)
                if count == 0 { upstreamEnded = true }
                stream.pointee.next_in = UnsafePointer(input.baseAddress?.assumingMemoryBound(to: UInt8.self))
                stream.pointee.avail_in = count
            }
            let status = lzma_code(stream, upstreamEnded ? LZMA_FINISH : LZMA_RUN)
            switch status {
            case LZMA_OK:
                continue
            case LZMA_STREAM_END:
                finished = true
                return buffer.count - stream.pointee.avail_out
            case LZMA_BUF_ERROR:
                throw InputError("xz data ends early: the file is truncated")
            case LZMA_FORMAT_ERROR:
                throw InputError("xz data is not in the xz format")
            case LZMA_DATA_ERROR:
                throw InputError("xz data is corrupt")
            case LZMA_MEM_ERROR, LZMA_MEMLIMIT_ERROR:
                throw InputError("xz decompression ran out of memory")
            default:
                throw InputError("xz decompression failed (error \(status.rawValue))")
            }
        }
        return buffer.count - stream.pointee.avail_out
    }
}
