import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

#if canImport(Glibc)
    import Glibc
#endif

/// `--letters DIR`, `--templates DIR`, `--actor`: what `dunning run` and `daily` share.
struct DunningRunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write one letter per action into this directory (made if missing).", valueName: "dir"))
    var letters: String?

    @Option(
        help: ArgumentHelp(
            "Letter templates: level-L-CHANNEL.mustache, level-L.mustache, default.mustache (built-in ones fill the rest).",
            valueName: "dir"))
    var templates: String?

    @Option(help: ArgumentHelp("Who logs the actions (default arlog-dunning).", valueName: "name"))
    var actor: String?

    func validate() throws {
        if let letters, letters.isEmpty { throw ValidationError("--letters: the directory name is empty") }
        if let templates, templates.isEmpty { throw ValidationError("--templates: the directory name is empty") }
        if templates != nil, letters == nil { throw ValidationError("--templates is only for --letters") }
        if let actor, actor.isEmpty || actor.unicodeScalars.count > FeedLimits.actorCharsMax {
            throw ValidationError("--actor must be 1–\(FeedLimits.actorCharsMax) characters")
        }
    }

    var actorName: String { actor ?? "arlog-dunning" }

    /// The templates, read before anything is appended (a bad template appends nothing).
    func loadLetters() throws -> DunningLetters? {
        guard letters != nil else { return nil }
        var texts: [String: String] = [:]
        if let templates { texts = try LetterFiles.readTemplates(templates) }
        do {
            return try DunningLetters(texts)
        } catch {
            throw EngineError(.usage, "--templates \(templates ?? "(built-in)"): \(error.description)")
        }
    }

    /// Runs the plan: appends it, then writes the letters; returns the result and how many letters.
    func run(_ store: Store, _ plan: DunningPlan, at: Timestamp) throws -> (DunningRunResult, Int?) {
        let renderer = try loadLetters()
        var refused: [RejectedLine] = []
        let result = try store.dunningRun(plan, at: at, actor: actorName) { refused.append($0) }
        for r in refused { reportRejected(r) }
        if !refused.isEmpty {
            throw EngineError(.usage, "dunning run: \(refused.count) of its events were refused; the transaction holding them was not logged (the other transactions were; running again finishes the run)")
        }
        guard let renderer, let dir = letters else { return (result, nil) }
        let written = try LetterFiles.write(plan.actions, renderer, date: plan.asOf, to: dir)
        return (result, written)
    }
}

/// The files of letters and templates.
enum LetterFiles {
    /// Reads every `*.mustache` file of `dir` (name without the extension → text).
    static func readTemplates(_ dir: String) throws -> [String: String] {
        guard let d = opendir(dir) else { throw EngineError(.io, "cannot read \(dir): \(String(cString: strerror(errno)))") }
        defer { closedir(d) }
        var texts: [String: String] = [:]
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".mustache"), name.count > ".mustache".count else { continue }
            guard texts.count < DunningLetters.templatesMax else {
                throw EngineError(.usage, "--templates \(dir): more than \(DunningLetters.templatesMax) templates")
            }
            let path = dir + "/" + name
            let bytes = try readFile(path, max: DunningLetters.templateBytesMax)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw EngineError(.usage, "\(path): not UTF-8 text")
            }
            texts[String(name.dropLast(".mustache".count))] = text
        }
        return texts
    }

    /// Writes one letter per action into `dir` (made if missing); returns how many.
    static func write(_ actions: [DunningAction], _ letters: DunningLetters, date: Day, to dir: String) throws -> Int {
        if mkdir(dir, 0o755) != 0, errno != EEXIST {
            throw EngineError(.io, "cannot make \(dir): \(String(cString: strerror(errno)))")
        }
        for a in actions {
            try Output.writeFile(dir + "/" + DunningLetters.fileName(a, date: date), letters.render(a, date: date))
        }
        return actions.count
    }
}

struct DunningRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Log the dunning actions due (one dunning.action per invoice and level, actor arlog-dunning) and their fee invoices; --letters writes the letters.",
        discussion: """
            Appends what `arlog dunning plan` lists: per invoice a `dunning.action` with id \
            dunning.<level>.<invoice>, the level's channel and a note saying why, and, where \
            the level charges a fee or interest, a fee invoice `fee.<level>.<invoice>` \
            (`invoice.issued`, due on issue). Running it again appends nothing new. Without \
            --as-of the events are dated now; with --as-of D, at the end of D. --letters DIR \
            writes one letter per action (DATE-CUSTOMER-L<level>-<channel>.txt) from the \
            templates (built in, or --templates DIR).

            Example:
              arlog dunning run --letters /var/spool/arlog/letters
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var runOptions: DunningRunOptions

    func run() throws {
        let store = try storeOptions.openForWriting("dunning run")
        defer { store.close() }
        let plan = try store.dunningPlan(asOf: asOfOptions.day, today: today())
        let (result, letters) = try runOptions.run(store, plan, at: asOfOptions.day.map(Daily.endOfDay) ?? now())
        try Console.out(Render.dunningRun(result, letters: letters, lettersDirectory: runOptions.letters, format: formatOptions.output))
    }
}
