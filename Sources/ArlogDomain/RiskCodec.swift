/// Binary records of the risk projection (same varint encoding as `LedgerCodec`). Each starts
/// with `version`, which changes whenever a layout does.
public enum RiskCodec {
    public static let version: UInt8 = 1
    public typealias DecodeError = LedgerCodec.DecodeError

    public static func encode(_ s: RiskState) -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(version)
        w.int(Int64(s.evaluatedOn.number))
        w.int(Int64(bitPattern: s.seq))
        w.int(Int64(s.score))
        w.int(Int64(s.grade.rawValue))
        points(s.points, &w)
        w.int((s.overLimit ? 1 : 0) | (s.utilisationHigh ? 2 : 0))
        w.int(Int64(s.overdue.count))
        for m in s.overdue {
            w.string(m.invoice)
            w.int(Int64(m.installment))
            w.int(Int64(m.bucket))
            w.int(m.open)
        }
        return w.bytes
    }

    public static func decodeState(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> RiskState {
        var r = ByteReader(bytes: bytes)
        try header(&r)
        let on = try r.day("evaluation day")
        let seq = try readSeq(&r)
        let score = try readScore(&r)
        let grade = try readGrade(&r)
        let p = try readPoints(&r)
        let flags = try r.int(in: 0...3, "flags")
        let n = try r.count()
        var marks: [OverdueMark] = []
        for _ in 0..<n {
            let invoice = try r.string()
            let installment = try r.int(in: 0...Int64(Int32.max), "installment")
            let bucket = try r.int(in: Int64(RiskProjector.alertBucketMin)...Int64(CreditScoring.bucketEdges.count + 1), "bucket")
            let open = try r.int(in: 1...Int64.max, "open amount")
            // Exact conversions: the ranges above fit.
            marks.append(OverdueMark(invoice: invoice, installment: Int32(truncatingIfNeeded: installment), bucket: UInt8(truncatingIfNeeded: bucket), open: open))
        }
        try end(r)
        return RiskState(evaluatedOn: on, seq: seq, score: score, grade: grade, points: p, overLimit: flags & 1 != 0,
                         utilisationHigh: flags & 2 != 0, overdue: marks)
    }

    public static func encode(_ c: GradeChange) -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(version)
        w.string(c.customer)
        cause(c.cause, &w)
        w.int(Int64(c.evaluatedOn.number))
        w.int(c.from.map { Int64($0.rawValue) + 1 } ?? 0)
        w.int(Int64(c.to.rawValue))
        w.int(c.scoreFrom.map { Int64($0) + 1 } ?? 0)
        w.int(Int64(c.score))
        if let f = c.pointsFrom { w.int(1); points(f, &w) } else { w.int(0) }
        points(c.points, &w)
        w.string(c.policyName)
        return w.bytes
    }

    public static func decodeGradeChange(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> GradeChange {
        var r = ByteReader(bytes: bytes)
        try header(&r)
        let customer = try r.string()
        let c = try readCause(&r)
        let on = try r.day("evaluation day")
        let fromRaw = try r.int(in: 0...Int64(Grade.allCases.count), "previous grade")
        let from: Grade? = fromRaw == 0 ? nil : try grade(fromRaw - 1)
        let to = try readGrade(&r)
        let scoreFromRaw = try r.int(in: 0...Int64(scoreMax) + 1, "previous score")
        let score = try readScore(&r)
        let pointsFrom = try r.flag("previous points flag") ? try readPoints(&r) : nil
        let p = try readPoints(&r)
        let policy = try r.string()
        try end(r)
        return GradeChange(customer: customer, cause: c, evaluatedOn: on, from: from, to: to,
                           scoreFrom: scoreFromRaw == 0 ? nil : Int(scoreFromRaw - 1), score: score,
                           pointsFrom: pointsFrom, points: p, policyName: policy)
    }

    public static func encode(_ a: Alert) -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(version)
        w.string(a.customer)
        w.string(a.currency.code)
        cause(a.cause, &w)
        w.int(Int64(a.index))
        w.string(a.kind.rawValue)
        w.int(Int64(a.level.rawValue))
        w.int(Int64(a.evaluatedOn.number))
        w.int(Int64(a.grade.rawValue))
        w.int(Int64(a.score))
        w.int(a.gradeFrom.map { Int64($0.rawValue) + 1 } ?? 0)
        if let amount = a.amount { w.int(1); w.int(amount) } else { w.int(0) }
        w.optionalString(a.reference)
        w.string(a.reason)
        return w.bytes
    }

    public static func decodeAlert(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Alert {
        var r = ByteReader(bytes: bytes)
        try header(&r)
        let customer = try r.string()
        let code = try r.string()
        guard let currency = Currency(code: code) else { throw DecodeError(message: "unknown currency \(code)") }
        let c = try readCause(&r)
        // The index is one byte of the alert's key.
        let index = Int(try r.int(in: 0...Int64(UInt8.max), "alert index"))
        let kindName = try r.string()
        guard let kind = AlertKind(rawValue: kindName) else { throw DecodeError(message: "unknown alert kind \(kindName)") }
        let levelRaw = try r.int(in: 0...Int64(UInt8.max), "alert level")
        guard let level = AlertLevel(rawValue: Int(levelRaw)) else { throw DecodeError(message: "unknown alert level \(levelRaw)") }
        let on = try r.day("evaluation day")
        let g = try readGrade(&r)
        let score = try readScore(&r)
        let fromRaw = try r.int(in: 0...Int64(Grade.allCases.count), "previous grade")
        let from: Grade? = fromRaw == 0 ? nil : try grade(fromRaw - 1)
        let amount: Int64? = try r.flag("amount flag") ? try r.int() : nil
        let reference = try r.optionalString()
        let reason = try r.string()
        try end(r)
        return Alert(customer: customer, currency: currency, cause: c, index: index, kind: kind, level: level, evaluatedOn: on,
                     grade: g, score: score, gradeFrom: from, amount: amount, reference: reference, reason: reason)
    }

    static func header(_ r: inout ByteReader) throws(DecodeError) {
        let v = try r.byte()
        guard v == version else { throw DecodeError(message: "unknown risk record version \(v)") }
    }

    static func end(_ r: ByteReader) throws(DecodeError) {
        guard r.index == r.bytes.count else { throw DecodeError(message: "\(r.bytes.count - r.index) trailing bytes") }
    }

    /// Scores and factor points are 0–100 (`CreditScoring.score`, the policy's curves).
    static let scoreMax = 100

    static func readScore(_ r: inout ByteReader) throws(DecodeError) -> Int {
        Int(try r.int(in: 0...Int64(scoreMax), "score"))
    }

    /// A log position, stored as the bit pattern of a signed varint (any value round-trips;
    /// none is used in arithmetic).
    static func readSeq(_ r: inout ByteReader) throws(DecodeError) -> UInt64 {
        UInt64(bitPattern: try r.int())
    }

    static func points(_ p: [Int], _ w: inout ByteWriter) {
        w.int(Int64(p.count))
        for v in p { w.int(Int64(v)) }
    }

    /// Factor points, each 0–100 (one per factor as the projector writes them; readers index
    /// them only after checking the count).
    static func readPoints(_ r: inout ByteReader) throws(DecodeError) -> [Int] {
        let n = try r.count()
        var p: [Int] = []
        p.reserveCapacity(n)
        for _ in 0..<n { p.append(Int(try r.int(in: 0...Int64(scoreMax), "factor points"))) }
        return p
    }

    static func grade(_ raw: Int64) throws(DecodeError) -> Grade {
        guard raw >= 0, raw < Int64(Grade.allCases.count), let g = Grade(rawValue: Int(raw)) else { throw DecodeError(message: "grade \(raw) is not A–E") }
        return g
    }

    static func readGrade(_ r: inout ByteReader) throws(DecodeError) -> Grade { try grade(try r.int()) }

    static func cause(_ c: RiskCause, _ w: inout ByteWriter) {
        w.int(Int64(bitPattern: c.seq))
        w.string(c.eventID)
        w.int(Int64(c.type.rawValue))
        w.timestamp(c.at)
        w.optionalString(c.payment)
    }

    static func readCause(_ r: inout ByteReader) throws(DecodeError) -> RiskCause {
        let seq = try readSeq(&r)
        let id = try r.string()
        let typeRaw = try r.int(in: 0...Int64(UInt8.max), "event type")
        guard let type = EventType(rawValue: UInt8(truncatingIfNeeded: typeRaw)) else { throw DecodeError(message: "unknown event type \(typeRaw)") }
        let at = try r.timestamp()
        let payment = try r.optionalString()
        return RiskCause(seq: seq, eventID: id, type: type, at: at, payment: payment)
    }
}
