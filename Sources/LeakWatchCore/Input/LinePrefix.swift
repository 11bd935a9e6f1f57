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
            let token = token(prefix, at: index, loose: loose)
            if token.isPlaceholder {
                key.append(placeholder)
            } else {
                key.append(contentsOf: UnsafeRawBufferPointer(rebasing: prefix[index..<token.end]))
            }
            index = token.end
        }
        return key
    }

    /// If `line` starts with a prefix whose key is `key`, the length of that prefix in
    /// `line`; otherwise nil.
    ///
    /// - Complexity: O(n) in the prefix's length; allocates nothing (it runs on every line
    ///   an open event is offered).
    public static func length(of key: [UInt8], in line: UnsafeRawBufferPointer, loose: Bool = false) -> Int? {
        var matched = 0
        var index = 0
        while matched < key.count {
            guard index < line.count else { return nil }
            let token = token(line, at: index, loose: loose)
            if token.isPlaceholder {
                guard key[matched] == placeholder else { return nil }
                matched += 1
            } else {
                let count = token.end - index
                guard matched + count <= key.count,
                      key[matched..<(matched + count)].elementsEqual(UnsafeRawBufferPointer(rebasing: line[index..<token.end])) else {
                    return nil
                }
                matched += count
            }
            index = token.end
        }
        return index
    }

    /// The token at `start`: the bytes `start..<end` of `text` as they are, or (a
    /// timestamp-like run) the placeholder.
    private static func token(_ text: UnsafeRawBufferPointer, at start: Int, loose: Bool) -> (end: Int, isPlaceholder: Bool) {
        let byte = text[start]
        guard isDigit(byte), loose || start == 0 || !isAlphanumeric(text[start - 1]) else {
            return (start + 1, false)
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
        return (end, loose || hasColon || digits >= 6)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
