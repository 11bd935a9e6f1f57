import CBrotli

/// A ``ByteSource`` that decompresses Brotli data (HTTP's `Content-Encoding: br`) read
/// from `upstream` as it is read.
///
/// Data that is not Brotli, that ends before the stream does, or that goes on after it
/// are errors; everything decompressed before the fault has already been returned.
public final class BrotliSource: ByteSource {
    private var upstream: any ByteSource
    private let state: OpaquePointer?
    private let input: UnsafeMutableRawBufferPointer
    private var nextIn: UnsafePointer<UInt8>?
    private var availableIn = 0
    private var upstreamEnded = false
    private var finished = false

    /// Reads from `upstream` through a buffer of `inputBufferSize` bytes. This is 64 KiB
    /// by default.
    public init(upstream: any ByteSource, inputBufferSize: Int = 64 * 1024) {
        self.upstream = upstream
        self.state = BrotliDecoderCreateInstance(nil, nil, nil)
        self.input = .allocate(byteCount: max(1, inputBufferSize), alignment: 16)
    }

    deinit {
        if let state { BrotliDecoderDestroyInstance(state) }
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let state else { throw InputError("cannot start br decompression (out of memory)") }
        guard let output = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        var nextOut: UnsafeMutablePointer<UInt8>? = output.assumingMemoryBound(to: UInt8.self)
        var availableOut = buffer.count
        while availableOut == buffer.count {
            let result = BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
            switch result {
            case BROTLI_DECODER_RESULT_SUCCESS:
                finished = true
                let trailing = try refillIfEmpty()
                if trailing {
                    throw InputError("unexpected data after the end of the br stream")
                }
                return buffer.count - availableOut
            case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                if !(try refillIfEmpty()) { throw InputError("br data ends early: it was cut short") }
            case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
                return buffer.count - availableOut
            default:
                let code = BrotliDecoderGetErrorCode(state)
                let name = BrotliDecoderErrorString(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
                throw InputError("br data is corrupt (\(name))")
            }
        }
        return buffer.count - availableOut
    }

    /// Reads more input when none is left; returns false at the end of `upstream`.
    private func refillIfEmpty() throws(InputError) -> Bool {
        if availableIn > 0 { return true }
        if upstreamEnded { return false }
        let count = try upstream.read(into: input)
        if count == 0 {
            upstreamEnded = true
            return false
        }
        nextIn = UnsafePointer(input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        availableIn = count
        return true
    }
}
