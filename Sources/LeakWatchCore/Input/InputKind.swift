/// What an input holds, told from its first bytes unless the user says (`--input`).
public enum InputKind: String, CaseIterable, Sendable {
    /// Lines of text: any input that is not one of the others.
    case log
    /// A captured HTTP/1.x response stream: it starts with a status line (`curl -si`).
    case http
    /// A HAR 1.2 file: a JSON object whose first member is the object `log`. (A Docker
    /// `json-file` log line starts `{"log":"`: a string, so it stays a log.)
    case har

    /// How many bytes are looked at to tell the kind.
    public static let sniffLength = 4096

    /// The kind of an input that starts with `prefix`.
    public static func sniff(_ prefix: some Collection<UInt8>) -> InputKind {
        var bytes = Array(prefix)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if HTTPCaptureReader.isStatusLine(bytes) { return .http }
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        var rest = bytes[...]
        for token in ["{", "\"log\"", ":", "{"] {
            rest = rest.drop(while: isBlank)
            guard rest.starts(with: token.utf8) else { return .log }
            rest = rest.dropFirst(token.utf8.count)
        }
        return .har
    }

    /// Reads the first bytes of `upstream` and returns its kind, with a source that still
    /// yields every byte.
    public static func detect(_ upstream: any ByteSource) throws(InputError) -> (kind: InputKind, source: any ByteSource) {
        var upstream = upstream
        let prefix = try readPrefix(of: &upstream, count: sniffLength)
        return (sniff(prefix), PrefixedSource(prefix: prefix, upstream: upstream))
    }
}
