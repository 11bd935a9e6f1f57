import CZlib

/// A ``ByteSource`` that decompresses gzip data (or, for HTTP's `deflate`, zlib or raw
/// deflate data) read from `upstream` as it is read.
///
/// Concatenated gzip members (what `cat a.gz b.gz` and some log rotators produce) are
/// read one after the other, as `gzip -d` does. A stream that ends inside a member, bytes
/// that are not compressed data, or data after the last member that is not another member
/// are errors; everything decompressed before the fault has already been returned.
public final class GzipSource: ByteSource {
    /// The two bytes every gzip member starts with.
    public static let magic: [UInt8] = [0x1F, 0x8B]

    /// The wrapping around the deflate data.
    public enum Format: Sendable {
        /// gzip (RFC 1952), the default.
        case gzip
        /// zlib (RFC 1950): what HTTP's `Content-Encoding: deflate` means.
        case zlib
        /// Raw deflate (RFC 1951): what some servers send as `deflate` all the same.
        case rawDeflate

        var windowBits: Int32 {
            switch self {
            case .gzip: 15 + 16
            case .zlib: 15
            case .rawDeflate: -15
            }
        }

        var name: String { self == .gzip ? "gzip" : "deflate" }

        /// Returns true if and only if `bytes` start like a zlib stream: deflate method,
        /// a window of at most 32 KiB, and a header checksum that holds.
        public static func isZlibHeader(_ bytes: some Collection<UInt8>) -> Bool {
            guard bytes.count >= 2 else { return false }
            let cmf = bytes[bytes.startIndex], flg = bytes[bytes.index(after: bytes.startIndex)]
            return cmf & 0x0F == 8 && cmf >> 4 <= 7 && (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0
        }
    }

    private let format: Format

    private var upstream: any ByteSource
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamEnded = false
    private var memberEnded = false
    private var finished = false
    private let initialized: Bool

    /// Reads `format` data (gzip by default) from `upstream` through a buffer of
    /// `inputBufferSize` bytes. This is 64 KiB by default.
    public init(upstream: any ByteSource, format: Format = .gzip, inputBufferSize: Int = 64 * 1024) {
        self.upstream = upstream
        self.format = format
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        self.input = .allocate(byteCount: max(1, inputBufferSize), alignment: 16)
        self.initialized = czlib_inflate_init2(stream, format.windowBits) == Z_OK
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard initialized else { throw InputError("cannot start \(format.name) decompression (out of memory)") }
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
                throw InputError("\(format.name) data ends early: \(format == .gzip ? "the file is truncated" : "it was cut short")")
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
                throw InputError("\(format.name) data is corrupt (\(zlibMessage(default: "invalid data")))")
            case Z_MEM_ERROR:
                throw InputError("\(format.name) decompression ran out of memory")
            default:
                throw InputError("\(format.name) decompression failed (\(zlibMessage(default: "zlib error \(status)")))")
            }
        }
        return capacity - Int(stream.pointee.avail_out)
    }

    /// After a member ended: returns false at a clean end of input, true once the next
    /// member is ready to inflate.
    private func startNextMember() throws(InputError) -> Bool {
        if stream.pointee.avail_in == 0 && !upstreamEnded { try refill() }
        if stream.pointee.avail_in == 0 { return false }
        if format != .gzip || stream.pointee.next_in.pointee != GzipSource.magic[0] {
            throw InputError("unexpected data after the end of the \(format.name) stream")
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
