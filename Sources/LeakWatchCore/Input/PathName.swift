/// The parts of a `/`-separated path, as `dirname` and `basename` see them, without
/// touching the file system.
enum PathName {
    /// The last component: `logs/app.log` gives `app.log`; trailing slashes are ignored;
    /// `/` gives `/`.
    static func lastComponent(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return trimmed == "/" ? "/" : String(trimmed[trimmed.index(after: slash)...])
    }

    /// The directory holding the last component: `logs/app.log` gives `logs`, `/app.log`
    /// gives `/`, and a bare `app.log` gives `.`.
    static func directory(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let directory = trimmingTrailingSlashes(String(trimmed[..<slash]))
        return directory.isEmpty ? "/" : directory
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
