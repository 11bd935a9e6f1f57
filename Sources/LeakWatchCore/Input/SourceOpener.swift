/// Opens an input by path (`-` is standard input) and, when its first bytes are the
/// gzip magic number, decompresses it as it is read, whatever the file is called.
public enum SourceOpener {
    /// The path that means standard input.
    public static let standardInputPath = "-"

    /// Opens `path`, sniffing for gzip.
    ///
    /// - Throws: an ``InputError`` if the file cannot be opened or its first bytes read.
    public static func open(path: String) throws(InputError) -> (source: any ByteSource, info: SourceInfo) {
        if path == standardInputPath {
            return try sniff(FileDescriptorSource.standardInput, name: SourceInfo.standardInputName)
        }
        return try sniff(FileDescriptorSource.open(path: path), name: path)
    }

    /// Reads the first bytes of `upstream` and wraps it in a ``GzipSource`` when they are
    /// the gzip magic number.
    public static func sniff(_ upstream: any ByteSource, name: String) throws(InputError) -> (source: any ByteSource, info: SourceInfo) {
        var upstream = upstream
        let head = try readPrefix(of: &upstream, count: GzipSource.magic.count)
        let replayed = PrefixedSource(prefix: head, upstream: upstream)
        if head == GzipSource.magic {
            return (GzipSource(upstream: replayed), SourceInfo(name: name, encoding: .gzip))
        }
        return (replayed, SourceInfo(name: name))
    }
}
