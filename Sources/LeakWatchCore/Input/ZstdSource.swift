import CZstd

/// A ``ByteSource`` that decompresses Zstandard data (HTTP's `Content-Encoding: zstd`,
/// `.zst` files) read from `upstream` as it is read. Concatenated frames are read one
/// after the other, as `zstd -d` does.
///
/// Data that is not Zstandard or that ends inside a frame is an error; everything
/// decompressed before the fault has already been returned.
public final class ZstdSource: ByteSource {
    /// The four bytes every Zstandard frame starts with.
    public static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    private var upstream: any ByteSource
    private let stream: OpaquePointer?
    private let input: UnsafeMutableRawBufferPointer
    private var inBuffer = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    private var upstreamEnded = false
    /// Returns true while the current frame is unfinished (more input is needed).
    private var inFrame = false

    /// Reads from `upstream` through a buffer of `inputBufferSize` bytes. This is 64 KiB
    /// by default.
    public init(upstream: any ByteSource, inputBufferSize: Int = 64 * 1024) {
        self.upstream = upstream
        self.stream = ZSTD_createDStream()
        self.input = .allocate(byteCount: max(1, inputBufferSize), alignment: 16)
        if let stream { ZSTD_initDStream(stream) }
    }

    deinit {
        if let stream { ZSTD_freeDStream(stream) }
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let stream else { throw InputError("cannot start zstd decompression (out of memory)") }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var output = ZSTD_outBuffer(dst: base, size: buffer.count, pos: 0)
        while output.pos == 0 {
            if inBuffer.pos == inBuffer.size {
                let refilled = upstreamEnded ? false : try refill()
                if !refilled {
                    if inFrame { throw InputError("zstd data ends early: it was cut short") }
                    return 0
                }
            }
            let hint = ZSTD_decompressStream(stream, &output, &inBuffer)
            if ZSTD_isError(hint) != 0 {
                throw InputError("zstd data is corrupt (\(String(cString: ZSTD_getErrorName(hint))))")
            }
            inFrame = hint != 0
        }
        return output.pos
    }

    private func refill() throws(InputError) -> Bool {
        let count = try upstream.read(into: input)
        if count == 0 {
            upstreamEnded = true
            return false
        }
        inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: count, pos: 0)
        return true
    }
}
