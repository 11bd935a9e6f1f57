/// Decodes the escapes inside the strings of a JSON log line, in place, so text a
/// structured logger put into a string field reads as it was written: `\"` becomes `"`,
/// `\uXXXX` becomes UTF-8, and `\n` becomes a line break (a `\n` byte in the output), so a
/// traceback in `"exc_info": "Traceback …\n  File …"` is matched line by line.
///
/// Only a line whose first non-blank byte is `{` or `[` is touched. Everything outside
/// strings is kept as it is; `\r` inside a string is dropped; an escape that is not valid
/// JSON is kept verbatim; a lone surrogate becomes U+FFFD.
public enum JSONStringUnescaper {
    /// Appends the decoded line to `output`; returns true if and only if the line looks
    /// like JSON and held an escape.
    ///
    /// - Complexity: O(n).
    @discardableResult
    public static func unescape(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        let firstText = input.firstIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        guard let firstText, input[firstText] == UInt8(ascii: "{") || input[firstText] == UInt8(ascii: "[") else {
            output.append(contentsOf: input)
            return false
        }
        var changed = false
        var inString = false
        var index = 0
        while index < input.count {
            let byte = input[index]
            if !inString {
                if byte == UInt8(ascii: "\"") { inString = true }
                output.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = false
                output.append(byte)
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "\\"), index + 1 < input.count else {
                output.append(byte)
                index += 1
                continue
            }
            let consumed = appendEscape(input, at: index, into: &output)
            changed = true
            index += consumed
        }
        return changed
    }

    /// Appends the decoded string that starts after the opening quote at `start`, up to
    /// its closing quote; returns the index after that quote, or nil if the string does
    /// not end within `input` (what was decoded is still appended).
    static func appendString(_ input: UnsafeRawBufferPointer, from start: Int, into output: inout [UInt8]) -> Int? {
        var index = start
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") { return index + 1 }
            if byte == UInt8(ascii: "\\"), index + 1 < input.count {
                index += appendEscape(input, at: index, into: &output)
            } else {
                output.append(byte)
                index += 1
            }
        }
        return nil
    }

    /// Appends the meaning of the escape at `index` (a backslash followed by at least one
    /// byte) and returns how many bytes it spans.
    private static func appendEscape(_ input: UnsafeRawBufferPointer, at index: Int, into output: inout [UInt8]) -> Int {
        let escaped = input[index + 1]
        switch escaped {
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): break
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "b"), UInt8(ascii: "f"): output.append(UInt8(ascii: " "))
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
        case UInt8(ascii: "u"):
            guard let unit = hex4(input, at: index + 2) else {
                output.append(contentsOf: input[index..<(index + 2)])
                return 2
            }
            var scalar = UInt32(unit)
            var consumed = 6
            if (0xD800..<0xDC00).contains(unit) {
                if index + 8 <= input.count, input[index + 6] == UInt8(ascii: "\\"), input[index + 7] == UInt8(ascii: "u"),
                   let low = hex4(input, at: index + 8), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    consumed = 12
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(unit) {
                scalar = 0xFFFD
            }
            appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &output)
            return consumed
        default:
            output.append(contentsOf: input[index..<(index + 2)])
        }
        return 2
    }

    private static func hex4(_ input: UnsafeRawBufferPointer, at start: Int) -> UInt16? {
        guard start + 4 <= input.count else { return nil }
        var value: UInt16 = 0
        for byte in input[start..<(start + 4)] {
            guard let digit = hexValue(byte) else { return nil }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}

/// The value of an ASCII hex digit, or nil.
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// Appends `scalar` encoded as UTF-8.
func appendUTF8(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
    UTF8.encode(scalar) { output.append($0) }
}
