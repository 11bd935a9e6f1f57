import CZlib

/// A ``ByteSource`` that decompresses gzip data read from `upstream` as it is read.
///
/// Concatenated gzip members (what `cat a.gz b.gz` and some log rotators produce) are
/// read one after the other, as `gzip -d` does. A stream that ends inside a member, bytes
/// that are not gzip data, or data after the last member that is not another member are
/// errors; everything decompressed before the fault has already been returned.
public final class GzipSource: ByteSource {
    /// The two bytes every gzip member starts with.
    public static let magic: [UInt8] = [0x1F, 0x8B]

    private var upstream: any ByteSource
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamEnded = false
    private var memberEnded = false
    private var finished = false
    private let initialized: Bool

    /// Reads from `upstream` through a buffer of `inputBufferSize` bytes. This is 64 KiB
    /// by default.
    public init(upstream: any ByteSource, inputBufferSize: Int = 64 * 1024) {
        self.upstream = upstream
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        self.input = .allocate(byteCount: max(1, inputBufferSize), alignment: 16)
        // 15 + 16: the largest window, gzip wrapper only.
        self.initialized = czlib_inflate_init2(stream, 15 + 16) == Z_OK
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard initialized else { throw InputError("cannot start gzip decompression (out of memory)") }
        guard let output = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        stream.pointee.next_out = output.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(clamping: buffer.count)
        let capacity = Int(stream.pointee.avail_out)

        while Int(stream.pointee.avail_out) == capacity {
            if stream.pointee.avail_in == 0 && !upstreamEnded { try refill() }
            if memberEnded {
                guard try startNextMember() else { finished = true; return 0 }
            }
            if stream.pointee.avail_in == 0 && upstreamEnded {
                throw InputError("gzip data ends early: the file is truncated")
            }
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                memberEnded = true
                let produced = capacity - Int(stream.pointee.avail_out)
                if produced > 0 { return produced }
            case Z_NEED_DICT, Z_DATA_ERROR:
                throw InputError("gzip data is corrupt (\(zlibMessage(default: "invalid data")))")
            case Z_MEM_ERROR:
                throw InputError("gzip decompression ran out of memory")
            default:
                throw InputError("gzip decompression failed (\(zlibMessage(default: "zlib error \(status)")))")
            }
        }
        return capacity - Int(stream.pointee.avail_out)
    }

    /// After a member ended: returns false at a clean end of input, true once the next
    /// member is ready to inflate.
    private func startNextMember() throws(InputError) -> Bool {
        if stream.pointee.avail_in == 0 && !upstreamEnded { try refill() }
        if stream.pointee.avail_in == 0 { return false }
        if stream.pointee.next_in.pointee != GzipSource.magic[0] {
            throw InputError("unexpected data after the end of the gzip stream")
        }
        inflateReset(stream)
        memberEnded = false
        return true
    }

    private func refill() throws(InputError) {
        let count = try upstream.read(into: input)
        if count == 0 { upstreamEnded = true }
        stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(count)
    }

    private func zlibMessage(default fallback: String) -> String {
        guard let message = stream.pointee.msg else { return fallback }
        return String(cString: message)
    }
}
