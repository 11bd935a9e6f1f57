import Glibc
import LeakWatchCore

// A closed pipe must surface as EPIPE on write (handled as the end of output), not kill
// the process with SIGPIPE.
signal(SIGPIPE, SIG_IGN)
exit(LeakWatchCommand.main(Array(CommandLine.arguments.dropFirst())))
