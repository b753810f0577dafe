import ArlogDomain
import ArlogEngine
import ArlogRender

#if canImport(Glibc)
    import Glibc
#endif

/// The one output path of `arlog`: everything a command prints (standard output, the
/// `--rejects` file, `export`, `alerts --follow`, `audit head`) goes through `Output.write`,
/// which reports a failed or short write as `EngineError(.io)` (exit 2):
/// `cannot write <standard output | path>: <strerror>`. SIGPIPE is ignored at startup
/// (`Arlog.main`), so a closed pipe is EPIPE here, reported the same way, never a signal.
enum Output {
    /// What `Output.write` calls the process's standard output in its messages.
    static let standardOutputName = "standard output"

    /// Writes all of `bytes` to `fd`. EINTR is retried; EAGAIN (a descriptor inherited in
    /// non-blocking mode) waits until the descriptor is writable; anything else, and a write
    /// that makes no progress, throws naming `name`.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, name: String) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, base + offset, bytes.count - offset)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&p, 1, -1) >= 0 || errno == EINTR { continue }
                    throw failure(name, errno)
                }
                throw failure(name, code)
            }
            if n == 0 { throw EngineError(.io, "cannot write \(name): short write (\(offset) of \(bytes.count) bytes written)") }
            offset += n
        }
    }

    static func write(_ fd: Int32, _ text: String, name: String) throws {
        var text = text
        try text.withUTF8 { try write(fd, UnsafeRawBufferPointer($0), name: name) }
    }

    /// The error for a failed write to `name`, from errno `code`.
    static func failure(_ name: String, _ code: Int32) -> EngineError {
        let detail = code == EPIPE ? " (the reader closed the pipe; the output is incomplete)" : ""
        return EngineError(.io, "cannot write \(name): \(String(cString: strerror(code)))\(detail)")
    }

    /// Closes standard output at the end of a run and reports what the kernel reports only
    /// then (a network file system, a quota). EBADF (already closed) and EINTR (Linux has
    /// closed the descriptor anyway) are not errors.
    static func closeStandardOutput() throws {
        if Glibc.close(1) != 0, errno != EBADF, errno != EINTR {
            throw failure(standardOutputName, errno)
        }
    }
}

/// The standard streams. Standard output goes through `Output.write` and throws; standard
/// error is best effort (a failure to report cannot itself be reported).
enum Console {
    /// Writes `text` to standard output; a failed write is an `EngineError(.io)`.
    static func out(_ text: String) throws {
        try Output.write(1, text, name: Output.standardOutputName)
    }

    /// A line on stderr.
    static func error(_ line: String) { errorText(line.hasSuffix("\n") ? line : line + "\n") }

    /// Text on stderr as is (progress lines with `\r`).
    static func errorText(_ text: String) {
        try? Output.write(2, text, name: "standard error")
    }

    static func errorBytes(_ bytes: UnsafeRawBufferPointer) {
        try? Output.write(2, bytes, name: "standard error")
    }

    static var stderrIsTerminal: Bool { isatty(2) != 0 }
}

/// Writes to a file descriptor in blocks of `blockBytes` (so a large export makes few
/// system calls) through `Output.write`.
final class BufferedOutput {
    /// Block size: large enough that a million-event export makes a few thousand system
    /// calls, small enough not to matter in memory.
    static let blockBytes = 1 << 20
    let fd: Int32
    let name: String
    private var buffer: [UInt8] = []

    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
        buffer.reserveCapacity(BufferedOutput.blockBytes)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= BufferedOutput.blockBytes { try flush() }
    }

    func flush() throws {
        defer { buffer.removeAll(keepingCapacity: true) }
        try buffer.withUnsafeBytes { try Output.write(fd, $0, name: name) }
    }
}

extension Output {
    /// Creates (or truncates) the file at `path` and writes `text` (a letter, an export);
    /// a failure to open, write or close it is an `EngineError` naming the file.
    static func writeFile(_ path: String, _ text: String) throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Output.failure(path, errno) }
        do {
            try Output.write(fd, text, name: path)
        } catch {
            Glibc.close(fd)
            throw error
        }
        if Glibc.close(fd) != 0, errno != EINTR { throw Output.failure(path, errno) }
    }
}

/// A file arlog writes itself (the `--rejects` file): created (or truncated), written in
/// blocks through `Output.write`, then fsynced and closed. The first write error is kept
/// (the ingest goes on: the log is not at risk) and reported by `close`, as are fsync and
/// close errors: a file that may be incomplete is never reported as written.
final class OutputFile {
    /// Bytes buffered before a write: a few system calls per thousand rejected lines.
    static let blockBytes = 1 << 16
    let path: String
    private var fd: Int32
    private var writer = JSONWriter()
    private var failure: EngineError?

    init(path: String) throws {
        self.path = path
        fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Output.failure(path, errno) }
    }

    func write(_ line: RejectedLine) {
        Render.rejectRecord(line, into: &writer)
        if writer.bytes.count >= OutputFile.blockBytes { flush() }
    }

    private func flush() {
        defer { writer.bytes.removeAll(keepingCapacity: true) }
        guard failure == nil, fd >= 0 else { return }
        do {
            try writer.bytes.withUnsafeBytes { try Output.write(fd, $0, name: path) }
        } catch let e as EngineError {
            failure = e
        } catch {
            failure = EngineError(.io, "cannot write \(path): \(error)")
        }
    }

    /// Writes what is buffered, fsyncs and closes; throws the first failure of any of them.
    func close() throws {
        guard fd >= 0 else { return }
        flush()
        if failure == nil, fsync(fd) != 0, errno != EINVAL { failure = Output.failure(path, errno) }
        if Glibc.close(fd) != 0, failure == nil, errno != EINTR { failure = Output.failure(path, errno) }
        fd = -1
        if let failure { throw failure }
    }
}
