import CBzip2

/// A ``ByteSource`` that decompresses bzip2 data (`.bz2` rotated logs) read from
/// `upstream` as it is read. Concatenated streams are read one after the other, as
/// `bzip2 -d` does.
///
/// Data that is not bzip2 or that ends inside a stream is an error; everything
/// decompressed before the fault has already been returned.
public final class Bzip2Source: ByteSource {
    /// The three bytes every bzip2 stream starts with (`BZh`).
    public static let magic: [UInt8] = [0x42, 0x5A, 0x68]

    private var upstream: any ByteSource
    private let stream: UnsafeMutablePointer<bz_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamEnded = false
    private var initialized = false
    private var streamEnded = false

    /// Reads from `upstream` through a buffer of `inputBufferSize` bytes. This is 64 KiB
    /// by default.
    public init(upstream: any ByteSource, inputBufferSize: Int = 64 * 1024) {
        self.upstream = upstream
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: bz_stream())
        self.input = .allocate(byteCount: max(1, inputBufferSize), alignment: 16)
        initialized = BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK
    }

    deinit {
        if initialized { BZ2_bzDecompressEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard initialized else { throw InputError("cannot start bzip2 decompression (out of memory)") }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        stream.pointee.next_out = base.assumingMemoryBound(to: CChar.self)
        stream.pointee.avail_out = UInt32(clamping: buffer.count)
        let capacity = Int(stream.pointee.avail_out)
        while Int(stream.pointee.avail_out) == capacity {
            if stream.pointee.avail_in == 0 && !upstreamEnded { try refill() }
            if streamEnded {
                // Another stream may follow (concatenated .bz2 files).
                if stream.pointee.avail_in == 0 { return 0 }
                BZ2_bzDecompressEnd(stream)
                let pending = (stream.pointee.next_in, stream.pointee.avail_in)
                stream.initialize(to: bz_stream())
                (stream.pointee.next_in, stream.pointee.avail_in) = pending
                stream.pointee.next_out = base.assumingMemoryBound(to: CChar.self)
                stream.pointee.avail_out = UInt32(clamping: buffer.count)
                guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else {
                    initialized = false
                    throw InputError("cannot start bzip2 decompression (out of memory)")
                }
                streamEnded = false
            }
            if stream.pointee.avail_in == 0 && upstreamEnded {
                throw InputError("bzip2 data ends early: the file is truncated")
            }
            switch BZ2_bzDecompress(stream) {
            case BZ_OK:
                continue
            case BZ_STREAM_END:
                streamEnded = true
                let produced = capacity - Int(stream.pointee.avail_out)
                if produced > 0 { return produced }
            case BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC:
                throw InputError("bzip2 data is corrupt")
            case BZ_MEM_ERROR:
                throw InputError("bzip2 decompression ran out of memory")
            case let status:
                throw InputError("bzip2 decompression failed (error \(status))")
            }
        }
        return capacity - Int(stream.pointee.avail_out)
    }

    private func refill() throws(InputError) {
        let count = try upstream.read(into: input)
        if count == 0 { upstreamEnded = true }
        stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: CChar.self)
        stream.pointee.avail_in = UInt32(count)
    }
}
