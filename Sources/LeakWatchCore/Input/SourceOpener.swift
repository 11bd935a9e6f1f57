/// Opens an input by path (`-` is standard input) and, when its first bytes are the magic
/// number of gzip, zstd, bzip2 or xz (what logrotate's `compresscmd` writes), decompresses
/// it as it is read, whatever the file is called.
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

    /// Reads the first bytes of `upstream` and wraps it in a decompressor when they are a
    /// compressed format's magic number.
    public static func sniff(_ upstream: any ByteSource, name: String) throws(InputError) -> (source: any ByteSource, info: SourceInfo) {
        var upstream = upstream
        let head = try readPrefix(of: &upstream, count: XzSource.magic.count)
        let replayed = PrefixedSource(prefix: head, upstream: upstream)
        if head.starts(with: GzipSource.magic) {
            return (GzipSource(upstream: replayed), SourceInfo(name: name, encoding: .gzip))
        } else if head.starts(with: ZstdSource.magic) {
            return (ZstdSource(upstream: replayed), SourceInfo(name: name, encoding: .zstd))
        } else if head.starts(with: Bzip2Source.magic), head.count > 3, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(head[3]) {
            return (Bzip2Source(upstream: replayed), SourceInfo(name: name, encoding: .bzip2))
        } else if head.starts(with: XzSource.magic) {
            return (XzSource(upstream: replayed), SourceInfo(name: name, encoding: .xz))
        }
        return (replayed, SourceInfo(name: name))
    }
}
