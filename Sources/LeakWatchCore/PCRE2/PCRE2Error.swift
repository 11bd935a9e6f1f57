import CPCRE2

/// An error reported by PCRE2: compiling a pattern, JIT-compiling it, or matching.
///
/// The message is PCRE2's own text (from `pcre2_get_error_message`); the code is PCRE2's
/// error number. A compile error carries the byte offset in the pattern where PCRE2 found
/// the fault, which the rule parser turns into a column.
public struct PCRE2Error: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case compile, jit, match
    }

    public let kind: Kind
    /// PCRE2's error number: positive for compile errors, negative for match errors.
    public let code: Int32
    /// The byte offset in the pattern at which a compile error was detected.
    public let patternOffset: Int?
    public let message: String

    init(kind: Kind, code: Int32, patternOffset: Int? = nil) {
        self.kind = kind
        self.code = code
        self.patternOffset = patternOffset
        self.message = PCRE2Error.message(for: code)
    }

    /// Returns true if and only if the error is a resource limit (match, depth or heap
    /// limit, or the JIT stack) rather than a fault in the pattern or subject.
    public var isResourceLimit: Bool {
        kind == .match && [PCRE2_ERROR_MATCHLIMIT, PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_HEAPLIMIT,
                           PCRE2_ERROR_JIT_STACKLIMIT].contains(code)
    }

    public var description: String {
        if let patternOffset {
            return "\(message) (PCRE2 error \(code) at offset \(patternOffset))"
        }
        return "\(message) (PCRE2 error \(code))"
    }

    /// PCRE2's text for an error number.
    static func message(for code: Int32) -> String {
        // PCRE2's longest message is about 120 bytes; 256 leaves room.
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer {
            pcre2_get_error_message_8(code, $0.baseAddress, $0.count)
        }
        guard length > 0 else { return "unknown PCRE2 error" }
        return String(decoding: buffer[..<Int(length)], as: UTF8.self)
    }
}
