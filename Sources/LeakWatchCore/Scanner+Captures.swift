/// Scanning captured HTTP: a raw response stream (`curl -si`) message by message, and a
/// HAR file entry by entry. Each message's headers are scanned as `header` lines and its
/// decoded body as `body` lines, with the message's status; findings say which message
/// or entry they are in.
extension Scanner {
    /// Scans a captured HTTP/1.x response stream.
    func scanCapture(_ source: any ByteSource, info: SourceInfo, into sink: inout some AlertSink,
                     summary: inout ScanSummary) throws {
        let capture = HTTPCaptureReader(upstream: source)
        var requestURL: String?
        defer {
            summary.bytes += capture.bytesRead
            summary.lines += capture.lineCount
        }
        while true {
            let head: HTTPCaptureReader.Head
            do {
                guard let next = try capture.nextHead() else { return }
                head = next
            } catch {
                try diagnose(error, in: info, line: capture.lineCount + 1, into: &sink, summary: &summary)
                return
            }
            let url = requestURL
            if (300..<400).contains(head.status), let location = head.values("Location").last {
                requestURL = location
            } else if head.status >= 200 {
                requestURL = nil
            }
            func locate(_ finding: inout Finding) {
                finding.message = head.index
                finding.requestURL = url
            }
            _ = try scanPart(BytesSource(head.bytes), info: info, context: .header, status: head.status,
                             into: &sink, summary: &summary) { finding in
                locate(&finding)
                finding.line += head.firstLine - 1
                finding.byteOffset += head.byteOffset
                if var event = finding.event {
                    event.endLine += head.firstLine - 1
                    finding.event = event
                }
            }
            let prefix = "message \(head.index) (status \(head.status)): "
            if !head.isComplete {
                try diagnose(InputError("the head ends before its blank line: the capture is truncated"), in: info,
                             line: capture.lineCount, prefix: prefix, into: &sink, summary: &summary)
                return
            }
            do {
                try scanBody(of: head, in: capture, info: info, prefix: prefix, into: &sink, summary: &summary, locate: locate)
            } catch let error as InputError {
                try diagnose(error, in: info, line: capture.lineCount, prefix: prefix, into: &sink, summary: &summary)
            }
        }
    }

    private func scanBody(of head: HTTPCaptureReader.Head, in capture: HTTPCaptureReader, info: SourceInfo, prefix: String,
                          into sink: inout some AlertSink, summary: inout ScanSummary,
                          locate: (inout Finding) -> Void) throws {
        let body = try capture.body(of: head)
        let decoded = try ContentDecoding.decode(body, encodings: head.tokens("Content-Encoding"), limit: options.maxBodyBytes)
        for problem in decoded.problems {
            try diagnose(InputError(problem), in: info, line: capture.lineCount, prefix: prefix, into: &sink, summary: &summary)
        }
        let part = try scanPart(decoded.source, info: info, context: .body, status: head.status,
                                into: &sink, summary: &summary) { finding in
            locate(&finding)
            let map = body.lineMap
            if !decoded.isDecoded, let place = map.capturePosition(bodyLine: finding.line, bodyOffset: finding.byteOffset) {
                if var event = finding.event, let end = map.captureLine(bodyLine: event.endLine) {
                    event.endLine = end
                    finding.event = event
                }
                finding.line = place.line
                finding.byteOffset = place.offset
            } else {
                finding.lineReference = .body
            }
        }
        for problem in body.problems {
            try diagnose(InputError(problem.message), in: info, line: problem.line, prefix: prefix, into: &sink, summary: &summary)
        }
        if let error = part.readError {
            let scanned = decoded.isDecoded ? "; the \(part.lines) lines of decoded body before it were scanned" : "; the data before it was scanned"
            try diagnose(error, in: info, line: decoded.isDecoded ? nil : capture.lineCount, prefix: prefix, suffix: scanned,
                         into: &sink, summary: &summary)
        }
    }

    /// Scans a HAR file, one entry at a time.
    func scanHAR(_ source: any ByteSource, info: SourceInfo, into sink: inout some AlertSink,
                 summary: inout ScanSummary) throws {
        let har = HARReader(upstream: source)
        defer { summary.bytes += har.bytesConsumed }
        while true {
            let entry: HARReader.Entry
            do {
                guard let next = try har.nextEntry() else { return }
                entry = next
            } catch {
                try diagnose(error, in: info, line: nil, into: &sink, summary: &summary)
                return
            }
            func locate(_ finding: inout Finding) {
                finding.message = entry.index
                finding.requestMethod = entry.method
                finding.requestURL = entry.url
            }
            let headers = entry.headers.map { "\($0.name): \($0.value)\n" }.joined()
            let headerPart = try scanPart(BytesSource(Array(headers.utf8)), info: info, context: .header, status: entry.status,
                                          into: &sink, summary: &summary) { finding in
                locate(&finding)
                finding.lineReference = .headers
            }
            let (bytes, problem) = entry.body()
            let bodyPart = try scanPart(BytesSource(bytes), info: info, context: .body, status: entry.status,
                                        into: &sink, summary: &summary) { finding in
                locate(&finding)
                finding.lineReference = .body
            }
            summary.lines += headerPart.lines + bodyPart.lines
            if let problem {
                let request = [entry.method, entry.url].compactMap { $0 }.joined(separator: " ")
                try diagnose(InputError(problem), in: info, line: nil,
                             prefix: "entry \(entry.index)\(request.isEmpty ? "" : " (\(request))"): ", into: &sink, summary: &summary)
            }
        }
    }
}
