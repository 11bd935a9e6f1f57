/// Decodes `%XX` escapes of printable ASCII in a line, so a request target in an access
/// log reads as the server understood it (`/%5F%5Fdebugger%5F%5F` is `/__debugger__`).
///
/// Like Werkzeug's own request log (≥ 2.3), it leaves encoded what would change the
/// line's structure or meaning: controls and space (`%00`–`%20`), `%25` (`%`), `%26`
/// (`&`), `%2B` (`+`), `%3D` (`=`), `%23` (`#`), DEL and every non-ASCII byte.
public enum PercentDecoder {
    /// Returns true if and only if the byte `value` is decoded when escaped.
    public static func decodes(_ value: UInt8) -> Bool {
        (0x21...0x7E).contains(value) && !"%&+=#".utf8.contains(value)
    }

    /// Appends the decoded `input` to `output`; returns true if and only if something
    /// was decoded.
    ///
    /// - Complexity: O(n).
    @discardableResult
    public static func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        var changed = false
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "%"), index + 2 < input.count,
               let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]), decodes(high << 4 | low) {
                output.append(high << 4 | low)
                index += 3
                changed = true
            } else {
                output.append(byte)
                index += 1
            }
        }
        return changed
    }
}
