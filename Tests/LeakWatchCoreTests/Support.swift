import Foundation
import Glibc
@testable import LeakWatchCore

/// The repository's root folder (tests read `patterns/` and `samples/` from it).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A fresh temporary directory, removed when the returned object is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "leakwatch-test.XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let made else { throw POSIXError(.EIO) }
        path = made
    }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `executable` with `arguments`, feeding `input` on stdin, and returns its status
/// and output.
func run(_ executable: String, _ arguments: [String], input: [UInt8] = []) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

/// Runs the `leakwatch` command in this process with its output in temporary files, and
/// stdin from `stdinDescriptor` (a pipe in the tests).
func runLeakWatch(_ arguments: [String], stdinDescriptor: Int32 = -1) throws -> (status: Int32, stdout: String, stderr: String) {
    let directory = try TemporaryDirectory()
    let outPath = directory.file("stdout"), errPath = directory.file("stderr")
    let out = open(outPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    let err = open(errPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer { close(out); close(err) }
    let io = LeakWatchCommand.IO(standardOutput: OutputStream(descriptor: out),
                                 standardError: OutputStream(descriptor: err),
                                 standardInput: stdinDescriptor)
    let status = LeakWatchCommand.main(arguments, io: io)
    let stdout = try String(contentsOfFile: outPath, encoding: .utf8)
    let stderr = try String(contentsOfFile: errPath, encoding: .utf8)
    return (status, stdout, stderr)
}

/// A real pipe whose write end is filled with `bytes` from another thread and closed.
/// Returns the read end, which the caller must close.
func pipeFeeding(_ bytes: [UInt8]) throws -> Int32 {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { throw POSIXError(.EIO) }
    let writeEnd = ends[1]
    let thread = Thread {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(writeEnd, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        close(writeEnd)
    }
    thread.start()
    return ends[0]
}

/// Scans `text` (one input named `name`) with `rules` and returns the findings.
func findings(in text: String, rules: RuleSet, name: String = "test.log", context: RuleContext = .log,
              options: Detector.Options = Detector.Options(), maxLineBytes: Int = LineReader.defaultMaxLineBytes) -> [Finding] {
    let detector = Detector(rules: rules, options: options)
    let reader = LineReader(source: BytesSource(Array(text.utf8)), maxLineBytes: maxLineBytes)
    var found: [Finding] = []
    while let chunk = try? reader.nextChunk() {
        detector.scan(chunk, source: SourceInfo(name: name), context: context) { found.append($0) }
    }
    detector.finishInput { found.append($0) }
    return found
}

/// Compiles rule text (a `.rules` file body) into a rule set, failing the test on errors.
func ruleSet(_ text: String, path: String = "test.rules") throws -> RuleSet {
    try RuleSet.load([RuleFileText(path: path, text: text)]).get()
}

/// The built-in rules, compiled once.
let builtinRules: RuleSet = {
    switch RuleSet.builtin() {
    case .success(let rules): return rules
    case .failure(let error): preconditionFailure("built-in rules do not load:\n\(error)")
    }
}()

/// The `leakwatch` executable that `swift test` built next to the test binary.
let leakwatchBinary: String = {
    let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: testBinary).deletingLastPathComponent().appendingPathComponent("leakwatch").path
}()

/// Opens a pseudo-terminal and returns (primary, secondary) descriptors: a real terminal
/// for tests of terminal-only behaviour. (Swift's Glibc module does not export
/// posix_openpt and ptsname, so this goes through /dev/ptmx and its ioctls.)
func openPseudoTerminal() throws -> (primary: Int32, secondary: Int32) {
    let primary = open("/dev/ptmx", O_RDWR | O_NOCTTY)
    guard primary >= 0 else { throw POSIXError(.ENODEV) }
    var unlock: Int32 = 0
    var number: UInt32 = 0
    guard ioctl(primary, 0x4004_5431 /* TIOCSPTLCK */, &unlock) == 0,
          ioctl(primary, 0x8004_5430 /* TIOCGPTN */, &number) == 0 else {
        close(primary)
        throw POSIXError(.ENODEV)
    }
    let secondary = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
    guard secondary >= 0 else { close(primary); throw POSIXError(.ENODEV) }
    return (primary, secondary)
}

/// The 1-based number of the first line of `path` (relative to the repository) that
/// contains `marker`.
func lineNumber(of marker: String, in path: String) throws -> Int {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/" + path))
    // Split bytes: Swift reads "\r\n" (the captures' header lines) as one Character.
    let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    guard let index = lines.firstIndex(where: { String(decoding: $0, as: UTF8.self).contains(marker) }) else {
        throw POSIXError(.ENOENT)
    }
    return index + 1
}
