import ArlogDomain

extension Render {
    /// One alert as a JSON object on one line: what `alerts --format json` lists, what
    /// `--follow --format json` prints and what `--exec` writes to the command's stdin.
    public static func alertJSON(_ a: Alert) -> [UInt8] {
        var w = JSONWriter()
        let digits = a.currency.fractionDigits
        w.raw("{\"alert\":")
        w.string(a.id)
        w.raw(",\"seq\":\(a.cause.seq),\"customer\":")
        w.string(a.customer)
        w.raw(",\"kind\":")
        w.string(a.kind.rawValue)
        w.raw(",\"level\":")
        w.string(a.level.name)
        w.raw(",\"evaluated_on\":")
        w.string(a.evaluatedOn.description)
        w.raw(",\"event\":")
        w.string(a.cause.eventID)
        w.raw(",\"event_type\":")
        w.string(a.cause.type.name)
        w.raw(",\"at\":")
        w.string(a.cause.at.description)
        w.raw(",\"grade\":")
        w.string(a.grade.letter)
        w.raw(",\"grade_from\":")
        if let g = a.gradeFrom { w.string(g.letter) } else { w.raw("null") }
        w.raw(",\"score\":\(a.score),\"currency\":")
        w.string(a.currency.code)
        w.raw(",\"amount\":")
        if let m = a.amount { w.string(Money.format(m, fractionDigits: digits)) } else { w.raw("null") }
        w.raw(",\"reference\":")
        if let r = a.reference { w.string(r) } else { w.raw("null") }
        w.raw(",\"reason\":")
        w.string(a.reason)
        w.raw("}")
        return w.bytes
    }
}
