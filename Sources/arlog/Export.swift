import ArgumentParser
import ArlogEngine

#if canImport(Glibc)
    import Glibc
#endif

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write logged events exactly as received, in log order, as NDJSON.",
        discussion: """
            Each line is an event's bytes as billing sent them (unknown fields and all). \
            --from and --to select an inclusive range of sequence numbers; --customer keeps \
            one customer's events. Ingesting a full export into an empty store gives the same \
            projections and the same chain head (`arlog audit head`). Exit status 3 for an \
            unknown customer.

            Example:
              arlog export > backup.ndjson
              arlog export --customer ACME --from 1000 --to 2000
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Only this customer's events.", valueName: "customer"))
    var customer: String?

    @Option(help: ArgumentHelp("First sequence number (default 1).", valueName: "seq"))
    var from: UInt64?

    @Option(help: ArgumentHelp("Last sequence number (default: the log head).", valueName: "seq"))
    var to: UInt64?

    func validate() throws {
        if let from, from < 1 { throw ValidationError("--from: sequence numbers start at 1") }
        if let to, to < (from ?? 1) { throw ValidationError("--to must not be less than --from (and at least 1)") }
        if let customer, customer.isEmpty { throw ValidationError("--customer: the customer id is empty") }
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let out = BufferedOutput(fd: 1, name: "standard output")
        try store.export(customer: customer, from: from, to: to) { try out.write($0) }
        try out.flush()
    }
}

/// Writes to a file descriptor in blocks of `blockBytes` (so a large export makes few
/// system calls); a failed write (a closed pipe, a full disk) is an I/O error.
final class BufferedOutput {
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
        try buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw EngineError(.io, "cannot write \(name): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }
}
