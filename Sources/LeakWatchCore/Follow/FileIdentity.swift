import Glibc

// Follow/: `leakwatch tail`: following files through rotation and truncation, and the
// checkpoint that lets a restart resume. It knows sources, the detector and sinks; it
// knows nothing of rule details.

/// What makes a file the same file across renames and restarts: its device and inode,
/// and a fingerprint of its first bytes, so a file truncated and rewritten in place (or
/// an inode reused by a new file) is told apart even when it is as long as before.
public struct FileIdentity: Codable, Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    /// FNV-1a 64 of the first ``fingerprintLength`` bytes.
    public var fingerprint: UInt64
    /// How many bytes the fingerprint covers: up to ``fingerprintBytes``, fewer while the
    /// file is shorter.
    public var fingerprintLength: Int

    /// The most bytes the fingerprint covers: 256.
    public static let fingerprintBytes = 256

    /// The identity of the open file `descriptor`.
    static func of(_ descriptor: Int32) -> FileIdentity? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        let (hash, length) = firstBytesFingerprint(descriptor)
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino), fingerprint: hash, fingerprintLength: length)
    }

    /// Returns true if and only if the file open at `descriptor` has this device and
    /// inode and still starts with the bytes the fingerprint was taken over.
    func matches(_ descriptor: Int32) -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0, UInt64(status.st_dev) == device, UInt64(status.st_ino) == inode else { return false }
        return firstBytesMatch(descriptor)
    }

    /// Returns true if and only if the file open at `descriptor` still starts with the
    /// bytes the fingerprint was taken over (whatever its inode: a copy matches too).
    func firstBytesMatch(_ descriptor: Int32) -> Bool {
        let (hash, length) = Self.firstBytesFingerprint(descriptor, length: fingerprintLength)
        return length == fingerprintLength && hash == fingerprint
    }

    /// Takes the fingerprint over more bytes once the file has grown past a short one.
    mutating func extend(_ descriptor: Int32) {
        guard fingerprintLength < Self.fingerprintBytes else { return }
        (fingerprint, fingerprintLength) = Self.firstBytesFingerprint(descriptor)
    }

    /// FNV-1a 64 of the first bytes of `descriptor` (read with `pread`, so the read
    /// position is untouched) and how many bytes it covers.
    static func firstBytesFingerprint(_ descriptor: Int32, length: Int = fingerprintBytes) -> (UInt64, Int) {
        var bytes = [UInt8](repeating: 0, count: length)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, 0) }
        var hash = FNV1a64()
        hash.add(bytes.prefix(max(0, count)))
        return (hash.value, max(0, count))
    }
}

/// The size of the file open at `descriptor` now, or nil if it cannot be told.
func fileSize(_ descriptor: Int32) -> Int? {
    var status = stat()
    return fstat(descriptor, &status) == 0 ? Int(status.st_size) : nil
}
