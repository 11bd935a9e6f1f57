import Glibc

/// Expands the paths a user gave into the files to read.
///
/// A file named explicitly is read whatever it is (a FIFO or `/dev/stdin` too). A
/// directory is walked recursively, entries in byte order of their names, so the output
/// is the same on every run; inside a walk only regular files and symbolic links to
/// regular files are read (a link to a directory is not followed, so a walk cannot
/// loop, and FIFOs, sockets and devices are skipped). A directory that cannot be read
/// is reported once and the walk goes on.
public enum PathWalker {
    public enum Item: Equatable, Sendable {
        /// A file to read.
        case file(String)
        /// A path that could not be walked, with the reason.
        case failure(path: String, message: String)
        /// Something in a walked directory that is not read: a FIFO, socket or device.
        case skipped(path: String, reason: String)
    }

    /// Calls `visit` for every file under `path`, in order, and for every failure.
    public static func walk(_ path: String, _ visit: (Item) throws -> Void) rethrows {
        if path == SourceOpener.standardInputPath {
            try visit(.file(path))
            return
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            try visit(.failure(path: path, message: systemMessage(errno)))
            return
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            try walkDirectory(path, visit)
        } else {
            try visit(.file(path))
        }
    }

    private static func walkDirectory(_ path: String, _ visit: (Item) throws -> Void) rethrows {
        guard let directory = opendir(path) else {
            try visit(.failure(path: path, message: systemMessage(errno)))
            return
        }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        let prefix = path.hasSuffix("/") ? path : path + "/"
        for name in names {
            let child = prefix + name
            var info = stat()
            guard lstat(child, &info) == 0 else {
                try visit(.failure(path: child, message: systemMessage(errno)))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                try walkDirectory(child, visit)
            case S_IFREG:
                try visit(.file(child))
            case S_IFLNK:
                var target = stat()
                if stat(child, &target) == 0, target.st_mode & S_IFMT == S_IFREG {
                    try visit(.file(child))
                }
            case S_IFIFO:
                try visit(.skipped(path: child, reason: "a FIFO"))
            case S_IFSOCK:
                try visit(.skipped(path: child, reason: "a socket"))
            case S_IFCHR, S_IFBLK:
                try visit(.skipped(path: child, reason: "a device"))
            default:
                continue
            }
        }
    }
}
