import Glibc

/// The C library's description of an `errno` value, lowercased as our messages are
/// (`No such file or directory` becomes `no such file or directory`).
func systemMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    let message = String(cString: text)
    guard let first = message.first else { return message }
    return first.lowercased() + message.dropFirst()
}
