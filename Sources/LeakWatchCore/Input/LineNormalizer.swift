import Glibc

/// Turns a line as written into the text rules are written against: container wrapping
/// removed (``ContainerLogUnwrapper``), ANSI sequences stripped (``ANSIStripper``), JSON
/// string escapes decoded (``JSONStringUnescaper``; then ANSI stripped again, for colours
/// that were escaped in the strings), HTML entities decoded (``HTMLEntityDecoder``) and
/// printable `%XX` decoded (``PercentDecoder``), in that order. A decoded line break
/// (`\n` in a JSON string, `<br>`) splits the line; every piece keeps the number and byte
/// offset of the line it came from.
///
/// Keeps state between lines (container partial lines), so use one per input.
///
/// - Complexity: O(n) in the line's length per step that runs (a step runs only when
///   the line holds the byte its changes start with); the two line buffers are reused,
///   so nothing is allocated per line once they have grown to the longest line.
public struct LineNormalizer {
    private var container: ContainerLogUnwrapper
    private var current: [UInt8] = []
    private var spare: [UInt8] = []

    /// Lowercase literals of which a line must hold one to be worth normalizing: a
    /// line without any is used as it is. Searched by the keyword prefilter in the same
    /// pass as the rules' keywords.
    public static let triggers: [String] = {
        var words = ContainerLogUnwrapper.dockerStarts.map { String(decoding: $0, as: UTF8.self) }
        words += [" stdout f ", " stderr f ", " stdout p ", " stderr p ", "\\", "\u{1B}["]
        words += ["&quot;", "&amp;", "&lt;", "&gt;", "&apos;", "&nbsp;", "&#", "<br"]
        for value in UInt8(0x21)...UInt8(0x7E) where PercentDecoder.decodes(value) {
            words.append("%" + String(value, radix: 16))
        }
        return words
    }()

    /// - Parameter maxLineBytes: the most bytes of container partial lines joined into one.
    public init(maxLineBytes: Int) {
        container = ContainerLogUnwrapper(maxBytes: maxLineBytes)
    }

    /// Decodes `line`. Returns false if there was nothing to decode (use the line as it
    /// is; `body` was not called); otherwise calls `body` with each decoded line (not at
    /// all when a partial line is held back) and returns true.
    public mutating func normalize(_ line: Line, _ body: (Line) throws -> Void) rethrows -> Bool {
        current.removeAll(keepingCapacity: true)
        var origin = (number: line.number, byteOffset: line.byteOffset)
        var changed = false
        switch container.unwrap(line, into: &current) {
        case .notWrapped: current.append(contentsOf: line.bytes)
        case .held: return true
        case .unwrapped(let number, let byteOffset):
            origin = (number, byteOffset)
            changed = true
        }
        changed = decodeAll() || changed
        guard changed else { return false }
        try emit(number: origin.number, byteOffset: origin.byteOffset, body)
        return true
    }

    /// The input offset and line number of a container partial line held back, or nil.
    public var heldStart: (byteOffset: Int, line: Int)? { container.heldStart }

    /// Hands out a partial line still held at the end of the input.
    public mutating func finish(_ body: (Line) throws -> Void) rethrows {
        current.removeAll(keepingCapacity: true)
        guard let origin = container.flush(into: &current) else { return }
        _ = decodeAll()
        try emit(number: origin.number, byteOffset: origin.byteOffset, body)
    }

    /// Runs every decoding step over `current`; returns true if any changed it.
    /// A step runs only if the line holds the byte every one of its changes starts with.
    private mutating func decodeAll() -> Bool {
        var changed = holds(0x1B) && apply(ANSIStripper.strip)
        if holds(UInt8(ascii: "\\")) && apply(JSONStringUnescaper.unescape) {
            changed = true
            _ = holds(0x1B) && apply(ANSIStripper.strip)
        }
        changed = (holds(UInt8(ascii: "&")) || holds(UInt8(ascii: "<"))) && apply(HTMLEntityDecoder.decode) || changed
        changed = holds(UInt8(ascii: "%")) && apply(PercentDecoder.decode) || changed
        return changed
    }

    private func holds(_ byte: UInt8) -> Bool {
        current.withUnsafeBytes { bytes in bytes.baseAddress.map { memchr($0, Int32(byte), bytes.count) != nil } ?? false }
    }

    /// Runs one decoding step over `current`, keeping its output if it changed anything.
    private mutating func apply(_ step: (UnsafeRawBufferPointer, inout [UInt8]) -> Bool) -> Bool {
        spare.removeAll(keepingCapacity: true)
        let changed = current.withUnsafeBytes { step($0, &spare) }
        if changed { swap(&current, &spare) }
        return changed
    }

    private func emit(number: Int, byteOffset: Int, _ body: (Line) throws -> Void) rethrows {
        try current.withUnsafeBytes { bytes in
            var start = 0
            while start <= bytes.count {
                let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                try body(Line(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), number: number,
                              byteOffset: byteOffset, piece: nil))
                start = end + 1
            }
        }
    }
}
