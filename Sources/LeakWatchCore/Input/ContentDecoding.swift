/// Undoes a body's `Content-Encoding` (gzip, x-gzip, deflate as zlib or raw, br, zstd,
/// and stacks of them, outermost last), as a stream, with the decoded size capped.
///
/// A body that announces compression but is plain text was decoded by the client (curl
/// `--compressed`) and is read as it is; a compressed body in an encoding LeakWatch does
/// not know is reported and read as it is.
public enum ContentDecoding {
    /// A decoded body and what became of its encodings.
    public struct Result {
        public let source: any ByteSource
        /// Returns true if and only if some decoding was done, so body lines are lines of
        /// the decoded body, not of the capture.
        public let isDecoded: Bool
        /// What could not be decoded.
        public let problems: [String]
    }

    /// The encodings decoded.
    public static let known: Set<String> = ["gzip", "x-gzip", "deflate", "br", "zstd", "identity"]

    /// Wraps `body` in decoders for `encodings` (as listed in the headers: applied in
    /// order, so undone from the last), capping the decoded size at `limit` bytes.
    public static func decode(_ body: any ByteSource, encodings: [String], limit: Int) throws(InputError) -> Result {
        let layers = encodings.filter { $0 != "identity" }
        guard let outermost = layers.last else { return Result(source: body, isDecoded: false, problems: []) }
        var upstream = body
        let head = try readPrefix(of: &upstream, count: 64)
        var source: any ByteSource = PrefixedSource(prefix: head, upstream: upstream)
        if looksLikeText(head[...]) && !(outermost == "deflate" && GzipSource.Format.isZlibHeader(head)) {
            return Result(source: source, isDecoded: false, problems: [])  // curl --compressed
        }
        if let unknown = layers.first(where: { !known.contains($0) }) {
            return Result(source: source, isDecoded: false,
                          problems: ["Content-Encoding '\(unknown)' is not one LeakWatch decodes (gzip, deflate, br, zstd); the body is read as it is"])
        }
        for (index, encoding) in layers.enumerated().reversed() {
            switch encoding {
            case "gzip", "x-gzip":
                source = GzipSource(upstream: source)
            case "br":
                source = BrotliSource(upstream: source)
            case "zstd":
                source = ZstdSource(upstream: source)
            default:
                // deflate: zlib-wrapped as RFC 9110 says; raw, as some servers send it, is
                // recognised on the outermost layer, whose first bytes were looked at.
                let isRaw = index == layers.count - 1 && !GzipSource.Format.isZlibHeader(head)
                source = GzipSource(upstream: source, format: isRaw ? .rawDeflate : .zlib)
            }
        }
        return Result(source: CappedSource(upstream: source, limit: limit, what: "the decoded body"), isDecoded: true, problems: [])
    }

    /// Returns true if and only if `bytes` hold no control bytes but tab, CR and LF:
    /// text, not compressed data (64 random bytes pass with odds of about 1 in 10¹³).
    public static func looksLikeText(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }
}
