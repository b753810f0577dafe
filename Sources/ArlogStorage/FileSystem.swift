#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system calls the environment needs, on libc directly so this module does not
/// pull in Foundation.
enum FileSystem {
    /// `mkdir -p`: creates `path` and any missing parents. Existing directories are fine.
    static func makeDirectories(_ path: String) throws(StorageError) {
        guard !path.isEmpty else {
            throw StorageError(.directory, "environment directory path is empty")
        }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component
            if mkdir(prefix, 0o755) != 0 {
                let error = errno
                // EEXIST: already there (a file in the way shows up at mdb_env_open as ENOTDIR).
                if error != EEXIST {
                    throw StorageError(.directory, "cannot create directory \(prefix): \(errnoText(error))")
                }
            }
            prefix += "/"
        }
    }

    /// The canonical absolute path (symlinks, `.` and `..` resolved), so two spellings of one
    /// directory are recognised as the same environment.
    static func realPath(_ path: String) throws(StorageError) -> String {
        guard let resolved = realpath(path, nil) else {
            throw StorageError(.directory, "cannot resolve environment directory \(path): \(errnoText(errno))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` is a regular file holding at least one byte.
    static func isNonEmptyFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && st.st_size > 0
    }

    static func pageSizeBytes() -> Int {
        Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
