import Glibc

/// The write end of the pipe the signal handler writes to (the self-pipe trick: a
/// handler may only do async-signal-safe things, and `write` is one).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Wakes the follower when something may have changed, and tells it of signals: inotify
/// on the directories of the followed files (a directory watch reports writes to, and
/// renames, creations and deletions of, every file in it), or with `--poll` nothing but
/// the timeout. Blocks in `poll(2)`: no busy waiting.
final class Watcher {
    enum Signal: Equatable { case stop, reload }

    private let inotify: Int32
    private var signalPipe: [Int32] = [-1, -1]
    private var watched: Set<String> = []

    /// - Parameter polling: use no inotify (for file systems without it).
    init(polling: Bool) throws(InputError) {
        inotify = polling ? -1 : inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        if !polling && inotify < 0 { throw InputError.system("cannot start inotify (use --poll)", errno: errno) }
        guard pipe(&signalPipe) == 0 else { throw InputError.system("cannot create a pipe", errno: errno) }
        for end in signalPipe {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        signalPipeWriteEnd = signalPipe[1]
        // A parent may have blocked them (a test runner's threads do), and children
        // inherit the mask: unblock the signals this follower answers.
        var handled = sigset_t()
        sigemptyset(&handled)
        for number in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&handled, number) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        for number in [SIGTERM, SIGINT, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
    }

    deinit {
        if inotify >= 0 { close(inotify) }
        for number in [SIGTERM, SIGINT, SIGHUP] { signal(number, SIG_DFL) }
        signalPipeWriteEnd = -1
        close(signalPipe[0])
        close(signalPipe[1])
    }

    /// Watches `directory` (once); a directory that does not exist yet is tried again on
    /// the next call.
    func watch(directory: String) {
        guard inotify >= 0, !watched.contains(directory) else { return }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_CLOSE_WRITE)
        if inotify_add_watch(inotify, directory, mask) >= 0 { watched.insert(directory) }
    }

    /// Waits for a change, a signal or `timeout` seconds; returns the signals received.
    func wait(timeout: Double) -> [Signal] {
        var descriptors = [pollfd(fd: signalPipe[0], events: Int16(POLLIN), revents: 0)]
        if inotify >= 0 { descriptors.append(pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&descriptors, nfds_t(descriptors.count), Int32(max(0, timeout * 1000)))
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        if inotify >= 0 {
            // The events only wake the follower, which then looks at every file.
            while buffer.withUnsafeMutableBytes({ read(inotify, $0.baseAddress, $0.count) }) > 0 {}
        }
        var signals: [Signal] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(signalPipe[0], $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            for number in buffer[..<count] {
                signals.append(Int32(number) == SIGHUP ? .reload : .stop)
            }
        }
        return signals
    }
}
