import Glibc

extension String {
    /// The string followed by spaces up to `width` characters; a longer string is left as
    /// it is, never cut.
    func padded(to width: Int) -> String {
        let missing = width - count
        return missing > 0 ? self + String(repeating: " ", count: missing) : self
    }
}

/// `value` with `digits` digits after the point, as C's `%.*f` writes it: `fixed(0.4567, 3)`
/// is `0.457`.
func fixed(_ value: Double, _ digits: Int) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    let written = withVaList([Int32(digits), value]) { arguments in
        buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, "%.*f", arguments) }
    }
    guard written > 0 else { return String(value) }
    return String(decoding: buffer.prefix(Int(min(written, 63))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
