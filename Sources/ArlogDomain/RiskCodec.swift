/// Binary records of the risk projection's history: grade changes and alerts (a customer's
/// current evaluation is part of its hot state, `StateCodec`). Each starts with `version`,
/// which changes whenever a layout does; decoding checks every range.
public enum RiskCodec {
    public static let version: UInt8 = 2

    public static func encode(_ c: GradeChange) -> [UInt8] {
        var w = BinaryWriter(capacity: 96)
        w.u8(version)
        w.shortText(c.customer)
        cause(c.cause, &w)
        w.day(c.evaluatedOn)
        w.u8(c.from.map { UInt8($0.rawValue) + 1 } ?? 0)
        w.u8(UInt8(c.to.rawValue))
        w.u8(c.scoreFrom.map { UInt8(clamping: $0 + 1) } ?? 0)
        w.u8(UInt8(clamping: c.score))
        if let f = c.pointsFrom {
            w.u8(1)
            points(f, &w)
        } else {
            w.u8(0)
        }
        points(c.points, &w)
        w.text(c.policyName)
        return w.bytes
    }

    public static func decodeGradeChange(_ bytes: UnsafeRawBufferPointer) throws(StoredDataError) -> GradeChange {
        var r = BinaryReader(bytes)
        try header(&r)
        let customer = try r.shortText().utf8String
        let c = try readCause(&r)
        let on = try r.day()
        let fromRaw = try r.u8()
        let from: Grade? = fromRaw == 0 ? nil : try grade(fromRaw - 1)
        let to = try grade(try r.u8())
        let scoreFromRaw = try r.u8()
        let score = Int(try r.u8())
        guard scoreFromRaw <= 101, score <= 100 else { throw StoredDataError("score out of range") }
        let pointsFrom = try r.bool() ? try readPoints(&r) : nil
        let p = try readPoints(&r)
        let policy = try r.string()
        try r.end()
        return GradeChange(customer: customer, cause: c, evaluatedOn: on, from: from, to: to,
                           scoreFrom: scoreFromRaw == 0 ? nil : Int(scoreFromRaw) - 1, score: score,
                           pointsFrom: pointsFrom, points: p, policyName: policy)
    }

    public static func encode(_ a: Alert) -> [UInt8] {
        var w = BinaryWriter(capacity: 160)
        w.u8(version)
        w.shortText(a.customer)
        w.currency(a.currency)
        cause(a.cause, &w)
        w.u16(UInt16(clamping: a.index))
        w.u8(UInt8(AlertKind.allCases.firstIndex(of: a.kind) ?? 0))
        w.u8(UInt8(a.level.rawValue))
        w.day(a.evaluatedOn)
        w.u8(UInt8(a.grade.rawValue))
        w.u8(UInt8(clamping: a.score))
        w.u8(a.gradeFrom.map { UInt8($0.rawValue) + 1 } ?? 0)
        w.bool(a.amount != nil)
        w.i64(a.amount ?? 0)
        w.optionalText(a.reference)
        w.text(a.reason)
        return w.bytes
    }

    public static func decodeAlert(_ bytes: UnsafeRawBufferPointer) throws(StoredDataError) -> Alert {
        var r = BinaryReader(bytes)
        try header(&r)
        let customer = try r.shortText().utf8String
        let currency = try r.currency()
        let c = try readCause(&r)
        let index = Int(try r.u16())
        let k = Int(try r.u8())
        guard k < AlertKind.allCases.count else { throw StoredDataError("unknown alert kind \(k)") }
        let kind = AlertKind.allCases[k]
        let l = Int(try r.u8())
        guard let level = AlertLevel(rawValue: l) else { throw StoredDataError("unknown alert level \(l)") }
        let on = try r.day()
        let g = try grade(try r.u8())
        let score = Int(try r.u8())
        let fromRaw = try r.u8()
        let from: Grade? = fromRaw == 0 ? nil : try grade(fromRaw - 1)
        let hasAmount = try r.bool()
        let amountValue = try r.i64()
        let reference = try r.optionalString()
        let reason = try r.string()
        try r.end()
        guard score <= 100 else { throw StoredDataError("score \(score) above 100") }
        return Alert(customer: customer, currency: currency, cause: c, index: index, kind: kind, level: level, evaluatedOn: on,
                     grade: g, score: score, gradeFrom: from, amount: hasAmount ? amountValue : nil, reference: reference, reason: reason)
    }

    static func header(_ r: inout BinaryReader) throws(StoredDataError) {
        guard try r.u8() == version else { throw StoredDataError("unknown risk record version") }
    }

    static func points(_ p: FactorPoints, _ w: inout BinaryWriter) {
        for v in p { w.u8(UInt8(clamping: v)) }
    }

    static func readPoints(_ r: inout BinaryReader) throws(StoredDataError) -> FactorPoints {
        var p = FactorPoints()
        for i in 0..<FactorPoints.count {
            let v = Int(try r.u8())
            guard v <= 100 else { throw StoredDataError("factor points \(v) above 100") }
            p[i] = v
        }
        return p
    }

    static func grade(_ raw: UInt8) throws(StoredDataError) -> Grade {
        guard let g = Grade(rawValue: Int(raw)) else { throw StoredDataError("bad grade \(raw)") }
        return g
    }

    static func cause(_ c: RiskCause, _ w: inout BinaryWriter) {
        w.u64(c.seq)
        w.shortText(c.eventID)
        w.u8(c.type.rawValue)
        w.timestamp(c.at)
        w.optionalText(c.payment)
    }

    static func readCause(_ r: inout BinaryReader) throws(StoredDataError) -> RiskCause {
        let seq = try r.u64()
        let id = try r.shortText().utf8String
        let t = try r.u8()
        guard let type = EventType(rawValue: t) else { throw StoredDataError("bad event type \(t)") }
        let at = try r.timestamp()
        let payment = try r.optionalString()
        return RiskCause(seq: seq, eventID: id, type: type, at: at, payment: payment)
    }
}
