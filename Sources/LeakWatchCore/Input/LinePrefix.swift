/// The prefix a logger or collector writes before each line's text
/// (`2024-12-03 00:00:04,217 [Thread-3] `, `Dec  3 12:00:01 web1 app[812]: `), reduced
/// to a key that the lines of one stream share: every timestamp-like run (a run of
/// digits and `:.,-/+` with single `T`, `Z` or blanks between digit groups, holding a `:`
/// or six or more digits) becomes one placeholder byte. Other digits stay, so
/// `[Thread-1]` and `[Thread-2]`, or two process ids, give different keys. A *loose* key
/// masks every run of digits, so those streams share it: a line with the loose key but
/// not the key belongs to another stream of the same log.
public enum LinePrefix {
    /// The byte that stands for a timestamp in a key.
    static let placeholder: UInt8 = 0x01

    /// The key of `prefix`.
    ///
    /// - Complexity: O(n).
    public static func key(_ prefix: UnsafeRawBufferPointer, loose: Bool = false) -> [UInt8] {
        var key: [UInt8] = []
        var index = 0
        while index < prefix.count {
            let (bytes, next) = token(prefix, at: index, loose: loose)
            key.append(contentsOf: bytes)
            index = next
        }
        return key
    }

    /// If `line` starts with a prefix whose key is `key`, the length of that prefix in
    /// `line`; otherwise nil.
    public static func length(of key: [UInt8], in line: UnsafeRawBufferPointer, loose: Bool = false) -> Int? {
        var matched = 0
        var index = 0
        while matched < key.count {
            guard index < line.count else { return nil }
            let (bytes, next) = token(line, at: index, loose: loose)
            guard matched + bytes.count <= key.count, key[matched..<(matched + bytes.count)].elementsEqual(bytes) else {
                return nil
            }
            matched += bytes.count
            index = next
        }
        return index
    }

    /// The key bytes of the token at `start` and where the next token starts.
    private static func token(_ text: UnsafeRawBufferPointer, at start: Int, loose: Bool) -> (ArraySlice<UInt8>, Int) {
        let byte = text[start]
        guard isDigit(byte), loose || start == 0 || !isAlphanumeric(text[start - 1]) else {
            return (ArraySlice(CollectionOfOne(byte)), start + 1)
        }
        var end = start
        var digits = 0
        var hasColon = false
        var lastDigitEnd = start
        while end < text.count {
            let current = text[end]
            if isDigit(current) {
                digits += 1
                end += 1
                lastDigitEnd = end
            } else if ":.,-/+".utf8.contains(current) || (current == UInt8(ascii: "T") || current == UInt8(ascii: " ")) {
                guard end + 1 < text.count, isDigit(text[end + 1]) else { break }
                if current == UInt8(ascii: ":") { hasColon = true }
                end += 1
            } else if current == UInt8(ascii: "Z"), end > start, isDigit(text[end - 1]) {
                end += 1
                lastDigitEnd = end
                break
            } else {
                break
            }
        }
        end = lastDigitEnd
        if loose || hasColon || digits >= 6 {
            return (ArraySlice(CollectionOfOne(placeholder)), end)
        }
        return (ArraySlice(text[start..<end]), end)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
