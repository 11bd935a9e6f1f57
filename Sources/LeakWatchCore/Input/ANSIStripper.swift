/// Removes ANSI escape sequences (colours, cursor moves: `ESC [ params final-byte`), which
/// Werkzeug writes around its log lines even when the log is a file.
///
/// A lone `ESC`, or one not followed by `[`, is kept: it is not a sequence, and the
/// excerpt will show it escaped.
public enum ANSIStripper {
    /// Appends `input` without its CSI sequences to `output`; returns true if and only if
    /// it removed any.
    ///
    /// - Complexity: O(n).
    @discardableResult
    public static func strip(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        var changed = false
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == 0x1B, index + 1 < input.count, input[index + 1] == UInt8(ascii: "[") {
                // Parameter and intermediate bytes are 0x20-0x3F; the final byte 0x40-0x7E.
                var end = index + 2
                while end < input.count, (0x20...0x3F).contains(input[end]) { end += 1 }
                if end < input.count, (0x40...0x7E).contains(input[end]) {
                    index = end + 1
                    changed = true
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return changed
    }
}
