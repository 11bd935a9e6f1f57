/// Decodes the HTML escapes that debug pages put into tracebacks and code, so rules match
/// the plain text: `&quot;` `&#34;` `&#39;` `&#x27;` `&#47;` `&amp;` `&lt;` `&gt;`
/// `&apos;`, any `&#N;` / `&#xH;`, and `&nbsp;` (as a plain space, so `\s` matches it).
/// `<br>`, `<br/>` and `<br />` become line breaks (`\n` in the output), as Express
/// writes a whole stack on one line joined by them.
///
/// Unknown entities and malformed ones are kept as they are; `&#0;` and numbers past
/// U+10FFFF become U+FFFD.
public enum HTMLEntityDecoder {
    private static let named: [(name: [UInt8], value: [UInt8])] = ([
        ("quot", "\""), ("amp", "&"), ("lt", "<"), ("gt", ">"), ("apos", "'"), ("nbsp", " "),
    ] as [(String, String)]).map { (Array($0.0.utf8), Array($0.1.utf8)) }

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
            if byte == UInt8(ascii: "&"), let (decoded, length) = entity(input, at: index) {
                output.append(contentsOf: decoded)
                index += length
                changed = true
            } else if byte == UInt8(ascii: "<"), let length = lineBreak(input, at: index) {
                output.append(0x0A)
                index += length
                changed = true
            } else {
                output.append(byte)
                index += 1
            }
        }
        return changed
    }

    /// The entity starting at `start` (an `&`): its text and length, or nil.
    private static func entity(_ input: UnsafeRawBufferPointer, at start: Int) -> ([UInt8], Int)? {
        var end = start + 1
        while end < input.count, end - start <= 10, input[end] != UInt8(ascii: ";") { end += 1 }
        guard end < input.count, input[end] == UInt8(ascii: ";"), end > start + 1 else { return nil }
        let body = input[(start + 1)..<end]
        let length = end - start + 1
        if body.first == UInt8(ascii: "#") {
            var digits = body.dropFirst()
            var radix: UInt32 = 10
            if let marker = digits.first, marker | 0x20 == UInt8(ascii: "x") {
                radix = 16
                digits = digits.dropFirst()
            }
            guard !digits.isEmpty else { return nil }
            var value: UInt32 = 0
            for digit in digits {
                guard let number = hexValue(digit), UInt32(number) < radix else { return nil }
                value = min(value * radix + UInt32(number), 0x11_0000)
            }
            var decoded: [UInt8] = []
            appendUTF8(value == 0 ? "\u{FFFD}" : Unicode.Scalar(value) ?? "\u{FFFD}", to: &decoded)
            return (decoded, length)
        }
        guard let known = named.first(where: { $0.name.elementsEqual(body) }) else { return nil }
        return (known.value, length)
    }

    /// The length of a `<br>`, `<br/>` or `<br />` (any case) at `start`, or nil.
    private static func lineBreak(_ input: UnsafeRawBufferPointer, at start: Int) -> Int? {
        guard start + 3 < input.count, input[start + 1] | 0x20 == UInt8(ascii: "b"), input[start + 2] | 0x20 == UInt8(ascii: "r") else {
            return nil
        }
        var index = start + 3
        while index < input.count, input[index] == UInt8(ascii: " ") { index += 1 }
        if index < input.count, input[index] == UInt8(ascii: "/") { index += 1 }
        guard index < input.count, input[index] == UInt8(ascii: ">") else { return nil }
        return index + 1 - start
    }
}
