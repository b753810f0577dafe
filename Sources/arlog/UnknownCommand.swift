import ArgumentParser

/// `arlog balnce` → "unknown command 'balnce'; did you mean 'balance'?" (exit 2), before
/// ArgumentParser, which would only say "Unexpected argument". Walks the command tree along
/// the leading words of the command line; the first word that is not an option, not `help`
/// and not a subcommand of the command reached so far is the unknown one.
enum UnknownCommand {
    /// The message for an unknown command word, nil when the words name a command (or when an
    /// option comes first: ArgumentParser reports those).
    static func message(_ arguments: [String], root: ParsableCommand.Type = Arlog.self) -> String? {
        var command = root
        var path: [String] = []
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            let named = subcommands.flatMap { sub in ([sub._commandName] + sub.configuration.aliases).map { (name: $0, command: sub) } }
            if let next = named.first(where: { $0.name == word }) {
                command = next.command
                path.append(word)
                continue
            }
            let quoted = (path + [word]).joined(separator: " ")
            guard let suggestion = nearest(word, among: named.map(\.name)) else {
                let help = (["arlog"] + path + ["--help"]).joined(separator: " ")
                return "unknown command '\(quoted)'; '\(help)' lists the commands"
            }
            return "unknown command '\(quoted)'; did you mean '\((path + [suggestion]).joined(separator: " "))'?"
        }
        return nil
    }

    /// The name closest to `word`: the only name it is a prefix of (2 characters or more),
    /// else the name at the smallest edit distance when that distance is small for its length
    /// (1 for names of up to 4 characters, else 2); ties go to the name listed first.
    static func nearest(_ word: String, among names: [String]) -> String? {
        let lowered = word.lowercased()
        if let exact = names.first(where: { $0 == lowered }) { return exact }
        let prefixed = names.filter { $0.hasPrefix(lowered) }
        if lowered.count >= 2, prefixed.count == 1 { return prefixed[0] }
        var best: (name: String, distance: Int)?
        for name in names {
            let d = editDistance(Array(lowered.unicodeScalars), Array(name.unicodeScalars))
            if d <= (name.count <= 4 ? 1 : 2), d < (best?.distance ?? Int.max) { best = (name, d) }
        }
        return best?.name
    }

    /// Edit distance counting insertions, deletions, substitutions and transpositions of
    /// adjacent characters as one each (optimal string alignment). Command words are short;
    /// a word longer than `wordScalarsMax` is compared by its first `wordScalarsMax` only.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        /// Bounds the work on a hostile command line: no command name is near this long.
        let wordScalarsMax = 64
        let a = Array(a.prefix(wordScalarsMax)), b = Array(b.prefix(wordScalarsMax))
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
