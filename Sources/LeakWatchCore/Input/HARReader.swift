import CYajl
import FoundationEssentials

/// Reads a HAR 1.2 file (what browsers, mitmproxy, ZAP and Burp export) one entry at a
/// time with YAJL, a streaming JSON parser: only the entry being read is held, never the
/// whole document or every body at once.
///
/// Of each entry it keeps what a scan needs: the request's method and URL, the response's
/// status, headers and body (`content.text`, base64-decoded when `content.encoding` says
/// so). Invalid JSON is an error naming the line and column where the parser stopped;
/// entries before it have been handed out.
public final class HARReader {
    /// One entry of `log.entries`.
    public struct Entry: Sendable {
        /// The 1-based index of the entry.
        public let index: Int
        public fileprivate(set) var method: String?
        public fileprivate(set) var url: String?
        public fileprivate(set) var status: Int?
        public fileprivate(set) var headers: [HTTPCaptureReader.Head.Field] = []
        /// `response.content.text`, as it is in the file.
        public fileprivate(set) var text: String?
        /// `response.content.encoding` (`base64` or absent).
        public fileprivate(set) var encoding: String?

        /// The body's bytes: the text, base64-decoded if it says so. A broken base64 text
        /// gives what decodes before the fault and a problem.
        public func body() -> (bytes: [UInt8], problem: String?) {
            guard let text else { return ([], nil) }
            guard encoding?.lowercased() == "base64" else { return (Array(text.utf8), nil) }
            let valid = text.utf8.prefix { isBase64($0) }
            let whole = valid.count - valid.count % 4
            let decoded = Data(base64Encoded: String(decoding: valid.prefix(whole), as: UTF8.self),
                               options: .ignoreUnknownCharacters).map(Array.init) ?? []
            if valid.count == text.utf8.count, Data(base64Encoded: text, options: .ignoreUnknownCharacters) != nil {
                return (decoded, nil)
            }
            return (decoded, "response.content.text is not valid base64 after \(whole) characters; the \(decoded.count) bytes before it were scanned")
        }

        private func isBase64(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "\r"), UInt8(ascii: "\n"): true
            default: false
            }
        }
    }

    private var upstream: any ByteSource
    private var handle: yajl_handle?
    /// YAJL keeps a pointer to its callbacks, so they live as long as the parser.
    private let callbacks = UnsafeMutablePointer<yajl_callbacks>.allocate(capacity: 1)
    private let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var ended = false
    private var failed = false
    private var ready: [Entry] = []
    private var linesBefore = 0
    private var bytesRead = 0

    // Where the parser is: one frame per open container, a map's frame holding its
    // current key (arrays' frames hold "[]").
    private var path: [String] = []
    private var entry: Entry?
    private var entryCount = 0

    public init(upstream: any ByteSource) {
        self.upstream = upstream
        var callbacks = yajl_callbacks()
        callbacks.yajl_null = { context in HARReader.from(context)?.scalar(nil) ?? 0 }
        callbacks.yajl_boolean = { context, _ in HARReader.from(context)?.scalar(nil) ?? 0 }
        callbacks.yajl_number = { context, text, length in
            HARReader.from(context)?.scalar(text.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self) }) ?? 0
        }
        callbacks.yajl_string = { context, text, length in
            HARReader.from(context)?.scalar(String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)) ?? 0
        }
        callbacks.yajl_start_map = { context in HARReader.from(context)?.open(isArray: false) ?? 0 }
        callbacks.yajl_map_key = { context, text, length in
            HARReader.from(context)?.key(String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)) ?? 0
        }
        callbacks.yajl_end_map = { context in HARReader.from(context)?.close() ?? 0 }
        callbacks.yajl_start_array = { context in HARReader.from(context)?.open(isArray: true) ?? 0 }
        callbacks.yajl_end_array = { context in HARReader.from(context)?.close() ?? 0 }
        self.callbacks.initialize(to: callbacks)
        handle = yajl_alloc(self.callbacks, nil, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        if let handle { yajl_free(handle) }
        callbacks.deinitialize(count: 1)
        callbacks.deallocate()
        block.deallocate()
    }

    /// Bytes of the file read so far.
    public var bytesConsumed: Int { bytesRead }

    /// The next entry, or nil at the end of the file.
    ///
    /// - Throws: invalid JSON (with its line and column), a file that is not a HAR (no
    ///   `log.entries`), or a read error.
    public func nextEntry() throws(InputError) -> Entry? {
        while ready.isEmpty, !ended, !failed {
            try feed()
        }
        return ready.isEmpty ? nil : ready.removeFirst()
    }

    private func feed() throws(InputError) {
        guard let handle else { throw InputError("cannot start the JSON parser (out of memory)") }
        let count = try upstream.read(into: block)
        let status: yajl_status
        if count == 0 {
            ended = true
            status = yajl_complete_parse(handle)
        } else {
            status = yajl_parse(handle, block.baseAddress?.assumingMemoryBound(to: UInt8.self), count)
        }
        guard status == yajl_status_ok else {
            failed = true
            let consumed = count == 0 ? 0 : Int(yajl_get_bytes_consumed(handle))
            let (line, column) = position(after: consumed)
            var message = "invalid JSON"
            if let text = yajl_get_error(handle, 0, nil, 0) {
                message = String(cString: text).trimmed(" \n")
                yajl_free_error(handle, text)
            }
            throw InputError(count == 0 ? "the JSON ends early (\(message)): the file is truncated" : "not valid JSON: \(message)",
                             line: line, column: column)
        }
        if count > 0 {
            linesBefore += UnsafeRawBufferPointer(rebasing: block[..<count]).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            bytesRead += count
        } else if entryCount == 0 {
            throw InputError("no log.entries: this JSON is not a HAR file")
        }
    }

    /// The line and 1-based column of byte `consumed` of the current block.
    private func position(after consumed: Int) -> (Int, Int) {
        let upTo = UnsafeRawBufferPointer(rebasing: block[..<max(0, consumed - 1)])
        let newlines = upTo.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let lineStart = upTo.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return (linesBefore + newlines + 1, consumed - lineStart)
    }

    // MARK: - Parser events

    private static func from(_ context: UnsafeMutableRawPointer?) -> HARReader? {
        context.map { Unmanaged<HARReader>.fromOpaque($0).takeUnretainedValue() }
    }

    private static let entriesPath = ["log", "entries", "[]"]

    private func open(isArray: Bool) -> Int32 {
        if !isArray, path == Self.entriesPath {
            entryCount += 1
            entry = Entry(index: entryCount)
        } else if !isArray, path.count == 6, path.starts(with: Self.entriesPath), path[3...] == ["response", "headers", "[]"] {
            entry?.headers.append(.init(name: "", value: ""))
        }
        path.append(isArray ? "[]" : "")
        return 1
    }

    private func key(_ name: String) -> Int32 {
        path[path.count - 1] = name
        return 1
    }

    private func close() -> Int32 {
        path.removeLast()
        if path == Self.entriesPath, let finished = entry {
            ready.append(finished)
            entry = nil
        }
        return 1
    }

    private func scalar(_ value: String?) -> Int32 {
        guard entry != nil, path.count > 3, path.starts(with: Self.entriesPath), let value else { return 1 }
        switch Array(path[3...]) {
        case ["request", "method"]: entry?.method = value
        case ["request", "url"]: entry?.url = value
        case ["response", "status"]: entry?.status = Int(value)
        case ["response", "content", "text"]: entry?.text = value
        case ["response", "content", "encoding"]: entry?.encoding = value
        case ["response", "headers", "[]", "name"]:
            if let last = entry?.headers.popLast() { entry?.headers.append(.init(name: value, value: last.value)) }
        case ["response", "headers", "[]", "value"]:
            if let last = entry?.headers.popLast() { entry?.headers.append(.init(name: last.name, value: value)) }
        default: break
        }
        return 1
    }
}
