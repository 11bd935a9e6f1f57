// PCRE2/: the only folder that imports CPCRE2. It knows patterns and byte subjects;
// it knows nothing of files, rules or output.

/// A half-open range of byte offsets, `start..<end`, into a subject.
///
/// Invariant: `0 <= start <= end`. Offsets count UTF-8 code units (bytes), never
/// characters.
public struct ByteRange: Hashable, Sendable, CustomStringConvertible {
    public let start: Int
    public let end: Int

    public init(start: Int, end: Int) {
        precondition(0 <= start && start <= end, "invalid byte range \(start)..<\(end)")
        self.start = start
        self.end = end
    }

    /// The number of bytes in the range.
    public var count: Int { end - start }

    /// Returns true if and only if the range holds no bytes.
    public var isEmpty: Bool { start == end }

    public var description: String { "\(start)..<\(end)" }
}
