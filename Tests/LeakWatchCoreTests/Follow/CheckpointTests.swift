import Foundation
import Glibc
import Testing
@testable import LeakWatchCore

@Suite struct CheckpointTests {
    @Test func savedAtomicallyAndReadBack() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("state.json")
        #expect(try Checkpoint.load(from: path) == Checkpoint())
        var checkpoint = Checkpoint()
        checkpoint.files = [.init(path: "/var/log/app.log", identity: FileIdentity(device: 1, inode: 2, fingerprint: 3, fingerprintLength: 256),
                                  offset: 4096, line: 31),
                            .init(path: "/var/log/app.log", identity: FileIdentity(device: 1, inode: 9, fingerprint: 7, fingerprintLength: 256),
                                  offset: 100, line: 2, rotated: true)]
        try checkpoint.save(to: path)
        #expect(try Checkpoint.load(from: path) == checkpoint)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        #expect(try Checkpoint.load(from: path).entry(for: "/var/log/app.log")?.offset == 4096)
        #expect(try Checkpoint.load(from: path).rotatedEntries(for: "/var/log/app.log").map(\.offset) == [100])
    }

    @Test func aDamagedOrNewerStateIsRefusedNotIgnored() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("state.json")
        try "{\"files\": [".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: InputError("the state file is not a LeakWatch state file (or is damaged): remove it to start over, from the end of each log")) {
            _ = try Checkpoint.load(from: path)
        }
        try #"{"version": 2, "files": []}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: InputError("the state file is from a newer LeakWatch (version 2, this one reads 1)")) {
            _ = try Checkpoint.load(from: path)
        }
    }
}

@Suite struct FileIdentityTests {
    @Test func theFirstBytesTellARewrittenFileApart() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("app.log")
        try "first line\n".write(toFile: path, atomically: false, encoding: .utf8)
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        var identity = try #require(FileIdentity.of(descriptor))
        #expect(identity.fingerprintLength == 11 && identity.matches(descriptor))
        let writer = open(path, O_WRONLY | O_APPEND)
        _ = Array(String(repeating: "more\n", count: 100).utf8).withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        identity.extend(descriptor)
        #expect(identity.fingerprintLength == 256 && identity.matches(descriptor))
        // Truncated and rewritten past the old length (copytruncate, then the writer went on):
        ftruncate(writer, 0)
        _ = Array(String(repeating: "new!\n", count: 120).utf8).withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        close(writer)
        #expect(!identity.firstBytesMatch(descriptor))
    }
}

@Suite struct AlertFolderTests {
    func finding(_ fingerprint: String) throws -> Finding {
        try #require(findings(in: " * Debugger PIN: 123-456-789\n", rules: builtinRules).first.map { found in
            var copy = found
            copy.byteOffset = fingerprint.count
            return copy
        })
    }

    @Test func repeatsInTheWindowAreCountedAndRolledUp() throws {
        var folder = AlertFolder(window: 60)
        let pin = try finding("a")
        let admitted = [folder.admit(pin, at: 0), folder.admit(pin, at: 10), folder.admit(pin, at: 59)]
        #expect(admitted == [true, false, false])
        let early = folder.close(at: 30)
        #expect(early.isEmpty)
        let rollups = folder.close(at: 61)
        #expect(rollups.map(\.count) == [3] && rollups.first?.lastSeen == 59)
        let again = folder.admit(pin, at: 62)  // a new window
        let last = folder.close(at: 63, all: true)  // nothing folded in it
        #expect(again && last.isEmpty)
    }

    @Test func aZeroWindowFoldsNothing() throws {
        var folder = AlertFolder(window: 0)
        let pin = try finding("a")
        let admitted = [folder.admit(pin, at: 0), folder.admit(pin, at: 0)]
        #expect(admitted == [true, true])
    }
}
