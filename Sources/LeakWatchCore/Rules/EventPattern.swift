/// How an `event` stanza gathers the lines of one multi-line event (a stack trace, say)
/// into one finding. The rule's ``Rule/pattern`` is the event's `start`.
///
/// After the start line, each line (with the start line's prefix cut off, see
/// ``LinePrefix``) that matches ``continuation`` joins the event, one that matches
/// ``end`` joins and closes it, and any other line closes it.
public struct EventPattern: Sendable {
    /// Lines of the event after the first.
    public let continuation: PCRE2Pattern
    /// A line that is the event's last, or nil when only a non-matching line ends it.
    public let end: PCRE2Pattern?
    /// The event is cut and reported at this many lines. This is 200 by default.
    public let maxLines: Int
    /// Events of fewer lines (start included, trailing blank lines not) are not
    /// reported. This is 2 by default.
    public let minLines: Int
    /// A stack frame; its group `file` names the frame's source file.
    public let frame: PCRE2Pattern?
    /// Files of library frames, skipped when naming the first application frame.
    public let library: PCRE2Pattern?

    /// The `type` group (the exception type) in `start`, `continue` and `end`.
    public let startTypeGroup: Int?
    public let continuationTypeGroup: Int?
    public let endTypeGroup: Int?
    /// The `file` group of ``frame``.
    public let frameFileGroup: Int?

    public static let defaultMaxLines = 200
    public static let defaultMinLines = 2

    init(start: PCRE2Pattern, continuation: PCRE2Pattern, end: PCRE2Pattern?, maxLines: Int, minLines: Int,
         frame: PCRE2Pattern?, library: PCRE2Pattern?) {
        self.continuation = continuation
        self.end = end
        self.maxLines = maxLines
        self.minLines = minLines
        self.frame = frame
        self.library = library
        self.startTypeGroup = start.groupNumber(named: "type")
        self.continuationTypeGroup = continuation.groupNumber(named: "type")
        self.endTypeGroup = end?.groupNumber(named: "type")
        self.frameFileGroup = frame?.groupNumber(named: "file")
    }
}
