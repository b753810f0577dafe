import ArlogDomain

#if canImport(Glibc)
    import Glibc
#endif

/// Reads NDJSON lines from a file descriptor with one bounded buffer.
///
/// A line longer than `FeedLimits.lineBytesMax` is reported as too long and skipped up to its
/// newline without being buffered, so a hostile input cannot make the reader grow. `\r\n`
/// endings lose their `\r`; lines of only spaces and tabs are blank and skipped. A UTF-8
/// byte-order mark at the start of a line is dropped (Windows exports begin with one, and
/// concatenated exports carry one at the start of each part); it is not part of the event.
/// The length limit counts a line's bytes without its line end, byte-order mark included.
struct LineReader {
    /// Bytes read per read(2) call.
    static let chunkBytes = 1 << 20

    let fd: Int32
    let name: String
    var buffer: [UInt8]
    var start = 0
    var end = 0
    var eof = false
    var lineNumber = 0
    var skippingLongLine = false

    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
        buffer = [UInt8](repeating: 0, count: LineReader.chunkBytes + FeedLimits.lineBytesMax)
    }

    enum Line: Equatable {
        case text(number: Int, range: Range<Int>)
        case tooLong(number: Int, prefix: [UInt8])
        /// No complete line arrived within the wait asked for (a live stream paused).
        case paused
    }

    /// The next non-blank line, as a range of `buffer` valid until the next call; nil at the
    /// end of the input. With `waitMillis`, returns `.paused` when no more input arrives
    /// within that time (the reader keeps any partial line and goes on at the next call).
    mutating func next(waitMillis: Int? = nil) throws -> Line? {
        while true {
            if let nl = findNewline() {
                let lineStart = start
                start = nl + 1
                lineNumber += 1
                if skippingLongLine {
                    skippingLongLine = false
                    continue
                }
                var lineEnd = nl
                if lineEnd > lineStart, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd - lineStart > FeedLimits.lineBytesMax {
                    return .tooLong(number: lineNumber, prefix: Array(buffer[lineStart..<(lineStart + 200)]))
                }
                let textStart = afterByteOrderMark(lineStart..<lineEnd)
                if isBlank(textStart..<lineEnd) { continue }
                return .text(number: lineNumber, range: textStart..<lineEnd)
            }
            // One byte more than the limit may still be the `\r` of a `\r\n` whose `\n` is not
            // read yet: only beyond that is the line too long whatever follows.
            if end - start > FeedLimits.lineBytesMax + 1 || (skippingLongLine && end > start) {
                // The current line is too long: report it once, then drop bytes to its newline.
                let report = !skippingLongLine
                let prefix = Array(buffer[start..<min(end, start + 200)])
                skippingLongLine = true
                start = end
                if report { return .tooLong(number: lineNumber + 1, prefix: prefix) }
            }
            if eof {
                guard start < end else { return nil }
                // The last line has no newline: treat the end of input as one.
                let lineStart = start
                start = end
                lineNumber += 1
                if skippingLongLine {
                    skippingLongLine = false
                    return nil
                }
                var lineEnd = end
                if buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd - lineStart > FeedLimits.lineBytesMax {
                    return .tooLong(number: lineNumber, prefix: Array(buffer[lineStart..<(lineStart + 200)]))
                }
                let textStart = afterByteOrderMark(lineStart..<lineEnd)
                if isBlank(textStart..<lineEnd) { return nil }
                return .text(number: lineNumber, range: textStart..<lineEnd)
            }
            if let waitMillis, !(try readable(waitMillis: waitMillis)) { return .paused }
            try fill()
        }
    }

    /// Whether input (or its end) is there to read within `waitMillis`. A regular file always
    /// is; a pipe, a terminal or a socket may not be.
    func readable(waitMillis: Int) throws -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let n = poll(&p, 1, Int32(clamping: waitMillis))
            if n >= 0 { return n > 0 }
            if errno == EINTR { continue }
            throw EngineError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
        }
    }

    func isBlank(_ r: Range<Int>) -> Bool {
        for i in r where buffer[i] != 0x20 && buffer[i] != 0x09 && buffer[i] != 0x0D { return false }
        return true
    }

    /// Where a line's text starts: after a UTF-8 byte-order mark (EF BB BF), if it has one.
    func afterByteOrderMark(_ r: Range<Int>) -> Int {
        guard r.count >= 3, buffer[r.lowerBound] == 0xEF, buffer[r.lowerBound + 1] == 0xBB,
            buffer[r.lowerBound + 2] == 0xBF
        else { return r.lowerBound }
        return r.lowerBound + 3
    }

    func findNewline() -> Int? {
        buffer.withUnsafeBytes { raw -> Int? in
            guard start < end, let base = raw.baseAddress,
                let p = memchr(base + start, 0x0A, end - start)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(p))
        }
    }

    mutating func fill() throws {
        if start > 0 {
            // Move the partial line to the front.
            let n = end - start
            if n > 0 { buffer.withUnsafeMutableBytes { raw in _ = memmove(raw.baseAddress!, raw.baseAddress! + start, n) } }
            start = 0
            end = n
        }
        let room = buffer.count - end
        precondition(room >= LineReader.chunkBytes / 2, "line buffer accounting")
        let n = buffer.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + end, room) }
        if n < 0 {
            if errno == EINTR { return }
            throw EngineError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
        }
        if n == 0 { eof = true }
        end += n
    }
}
