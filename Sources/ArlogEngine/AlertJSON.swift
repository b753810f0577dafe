import ArlogDomain

/// The alert's JSON is part of what the engine delivers (`Store.deliverAlerts` writes it to the
/// command's stdin), so it lives here and not in ArlogRender; `Render.alertJSON` and the
/// `alerts` listings write the same bytes through it.
extension Alert {
    /// The alert as a JSON object on one line (no line end): what `alerts --exec` writes to the
    /// command's stdin, what `alerts --format json` lists and what `--follow --format json` prints.
    /// `name`: the customer's name (its profile's, looked up by the caller for the alerts it
    /// writes), `null` when not known.
    public func json(into w: inout JSONWriter, name: String? = nil) {
        let a = self
        let digits = a.currency.fractionDigits
        w.raw("{\"alert\":")
        w.string(a.id)
        w.raw(",\"seq\":\(a.cause.seq),\"customer\":")
        w.string(a.customer)
        w.raw(",\"name\":")
        if let name { w.string(name) } else { w.raw("null") }
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
    }
}
