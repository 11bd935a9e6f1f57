/// Builds the human-readable excerpt of a finding: the line around the match, with
/// secrets masked and every byte that could drive a terminal escaped.
public enum Excerpt {
    /// What a masked secret is replaced with.
    static let mask = "[REDACTED]"
    /// Bytes of context kept on each side of the match. This is 80.
    static let context = 80
    /// Bytes of the match itself shown at most. This is 240.
    static let maxMatch = 240

    /// The excerpt of `match` in `line`, with each range in `secrets` replaced by
    /// ``mask`` (unless `showSecrets`).
    ///
    /// Escaped: C0 controls and DEL (`\t`, `\r`, `\x1b`…), C1 controls and Unicode
    /// bidirectional overrides (`\u{202e}`), and bytes that are not valid UTF-8 (`\xff`),
    /// so a log line cannot recolour, move or reorder the reader's terminal.
    static func make(line: UnsafeRawBufferPointer, match: ByteRange, secrets: [ByteRange], showSecrets: Bool) -> String {
        // A match longer than `maxMatch + context` shows its head and its tail around a gap.
        let skipped: ByteRange? = match.count > maxMatch + context
            ? clippedGap(line, from: match.start + maxMatch, to: match.end - context / 2)
            : nil
        let shownEnd = skipped == nil ? min(match.end, match.start + maxMatch) : match.end
        var start = max(0, match.start - context)
        var end = min(line.count, shownEnd + context)
        while start > 0, start < line.count, line[start] & 0xC0 == 0x80 { start -= 1 }
        while end < line.count, line[end] & 0xC0 == 0x80 { end += 1 }

        var output = start > 0 ? "…" : ""
        var masks = showSecrets ? [] : secrets.filter { !$0.isEmpty }.sorted { $0.start < $1.start }
        var position = start
        while position < end {
            if let gap = skipped, position >= gap.start, position < gap.end {
                output += " … "
                position = gap.end
                continue
            }
            if let first = masks.first, position >= first.start {
                if position < first.end {
                    output += mask
                    position = first.end
                }
                masks.removeFirst()
                continue
            }
            var stop = end
            if let gap = skipped, gap.start > position { stop = min(stop, gap.start) }
            if let first = masks.first { stop = min(stop, max(position, first.start)) }
            append(UnsafeRawBufferPointer(rebasing: line[position..<stop]), to: &output)
            position = stop
        }
        if end < line.count { output += "…" }
        return output
    }

    /// The range from `from` to `to`, moved to UTF-8 boundaries, or nil if empty.
    private static func clippedGap(_ line: UnsafeRawBufferPointer, from: Int, to: Int) -> ByteRange? {
        var start = from, end = to
        while start < line.count, line[start] & 0xC0 == 0x80 { start += 1 }
        while end < line.count, end > start, line[end] & 0xC0 == 0x80 { end -= 1 }
        return start < end ? ByteRange(start: start, end: end) : nil
    }

    /// `text` with control characters and bidirectional overrides escaped, as in an
    /// excerpt: for paths and other names that reach a terminal.
    public static func escaped(_ text: String) -> String {
        var output = ""
        var copy = text
        copy.withUTF8 { append(UnsafeRawBufferPointer($0), to: &output) }
        return output
    }

    /// Appends `bytes` to `output`, escaping what must not reach a terminal raw.
    static func append(_ bytes: UnsafeRawBufferPointer, to output: inout String) {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var position = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                position += encoded.count
                let scalar = Unicode.UTF8.decode(encoded)
                switch scalar.value {
                case 0x09: output += "\\t"
                case 0x0D: output += "\\r"
                case 0x0A: output += "\\n"
                case 0x00...0x1F, 0x7F: output += "\\x" + hex2(UInt8(scalar.value))
                case 0x80...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                    output += "\\u{" + String(scalar.value, radix: 16) + "}"
                default: output.unicodeScalars.append(scalar)
                }
            case .error(let length):
                for offset in position..<position + length { output += "\\x" + hex2(bytes[offset]) }
                position += length
            case .emptyInput:
                return
            }
        }
    }

    private static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
