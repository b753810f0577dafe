#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct OutputError: Error, CustomStringConvertible {
    let description: String
}

/// A file descriptor written with write(2): standard output for `-`, else a file created or
/// truncated. The generator hands it large chunks, so no further buffering is needed.
struct OutputSink {
    private let fd: Int32
    private let path: String

    init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = 1
        } else {
            let opened = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard opened >= 0 else {
                throw OutputError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            fd = opened
        }
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < buffer.count {
            let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let name = path == "-" ? "standard output" : path
                throw OutputError(description: "cannot write \(name): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    func close() throws {
        guard fd != 1 else { return }
        if systemClose(fd) != 0 {
            throw OutputError(description: "cannot close \(path): \(String(cString: strerror(errno)))")
        }
    }
}

private func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}

private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
