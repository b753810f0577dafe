import ArgumentParser
import ArlogEngine

struct Rebuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drop every projection and index and rebuild them by replaying the log.",
        discussion: """
            The log itself is not touched. An interrupted rebuild resumes the next time the store \
            is opened. Prints the events replayed, the customers, the time taken and the rate.

            Example:
              arlog rebuild --store ./store
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        var progressWidth = 0
        let head = try store.head()
        let progress: ((UInt64) -> Void)? =
            Console.stderrIsTerminal
            ? { seq in
                let text = "replayed \(seq) of \(head) events"
                Console.errorText("\r" + text)
                progressWidth = text.count
            } : nil
        let summary = try store.rebuild(progress: progress)
        if progressWidth > 0 { Console.errorText("\r" + String(repeating: " ", count: progressWidth) + "\r") }
        try Console.out(Render.rebuild(summary))
    }
}
