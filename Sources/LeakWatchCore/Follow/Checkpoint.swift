import FoundationEssentials
import Glibc

/// Where following stopped in each file, saved so a restart resumes there: the file's
/// identity, the byte offset up to which every alert has been written and flushed, and
/// the number of lines before it.
public struct Checkpoint: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var path: String
        public var identity: FileIdentity
        public var offset: Int
        public var line: Int
        /// Set for a file rotated away from `path` that was still being read to its end.
        public var rotated: Bool?
    }

    /// The format's version; a newer one is refused rather than misread.
    public static let version = 1
    public var version = Checkpoint.version
    public var files: [Entry] = []

    public init() {}

    /// The entry of the file now at `path`, if any.
    public func entry(for path: String) -> Entry? { files.first { $0.path == path && $0.rotated != true } }

    /// The entries of files rotated away from `path` that were not yet read to their end.
    public func rotatedEntries(for path: String) -> [Entry] { files.filter { $0.path == path && $0.rotated == true } }

    /// Reads the checkpoint at `path`; an empty one if there is no file.
    ///
    /// - Throws: when the file cannot be read, is not a checkpoint, or is from a newer
    ///   version: never silently start over.
    public static func load(from path: String) throws(InputError) -> Checkpoint {
        guard FileManager.default.fileExists(atPath: path) else { return Checkpoint() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read the state file")
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try JSONDecoder().decode(Checkpoint.self, from: data)
        } catch {
            throw InputError("the state file is not a LeakWatch state file (or is damaged): remove it to start over, from the end of each log")
        }
        guard checkpoint.version <= version else {
            throw InputError("the state file is from a newer LeakWatch (version \(checkpoint.version), this one reads \(version))")
        }
        return checkpoint
    }

    /// Writes the checkpoint to `path` atomically: a temporary file beside it, fsync,
    /// rename, fsync of the directory. A crash leaves the old or the new state, never a
    /// mix.
    public func save(to path: String) throws(InputError) {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            data = try encoder.encode(self)
        } catch {
            throw InputError("cannot encode the state")
        }
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw InputError.system("cannot write the state file \(temporary)", errno: errno) }
        var written = 0
        let ok = data.withUnsafeBytes { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }
            while written < bytes.count {
                let count = write(descriptor, base + written, bytes.count - written)
                if count < 0 { if errno == EINTR { continue }; return false }
                written += count
            }
            return fsync(descriptor) == 0
        }
        let failure = errno
        close(descriptor)
        guard ok else { throw InputError.system("cannot write the state file \(temporary)", errno: failure) }
        guard rename(temporary, path) == 0 else { throw InputError.system("cannot replace the state file \(path)", errno: errno) }
        let directory = open(PathName.directory(path),
                             O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
