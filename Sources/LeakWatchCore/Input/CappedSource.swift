/// A ``ByteSource`` that hands out at most `limit` bytes of `upstream` and then fails, so
/// a small compressed body that inflates without end (a compression bomb) is reported
/// instead of followed.
public struct CappedSource: ByteSource {
    private var upstream: any ByteSource
    public let limit: Int
    private let what: String
    private var delivered = 0

    /// - Parameter what: names the data in the error, e.g. "the decoded body".
    public init(upstream: any ByteSource, limit: Int, what: String) {
        self.upstream = upstream
        self.limit = limit
        self.what = what
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let room = limit - delivered
        if room <= 0 {
            var probe: UInt8 = 0
            let more = try withUnsafeMutableBytes(of: &probe) { byte throws(InputError) in try upstream.read(into: byte) }
            if more > 0 { throw InputError("\(what) is larger than \(binarySize(limit)): not read further (a compression bomb?)") }
            return 0
        }
        let count = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, room)]))
        delivered += count
        return count
    }
}

/// `limit` as people write it: `64 MiB`, `512 KiB`, or bytes.
func binarySize(_ bytes: Int) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes >= 1 << shift && bytes % (1 << shift) == 0 {
        return "\(bytes >> shift) \(unit)"
    }
    return "\(bytes) bytes"
}
