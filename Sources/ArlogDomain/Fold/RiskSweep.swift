/// Open amounts by overdue bucket (current, 1-30, 31-60, 61-90, 91+).
public struct BucketSums: Sendable, Equatable, CustomStringConvertible {
    public var current: Int64 = 0
    public var days1to30: Int64 = 0
    public var days31to60: Int64 = 0
    public var days61to90: Int64 = 0
    public var days91plus: Int64 = 0

    public init() {}

    public subscript(bucket: Int) -> Int64 {
        get {
            switch bucket {
            case 0: current
            case 1: days1to30
            case 2: days31to60
            case 3: days61to90
            default: days91plus
            }
        }
        set {
            switch bucket {
            case 0: current = newValue
            case 1: days1to30 = newValue
            case 2: days31to60 = newValue
            case 3: days61to90 = newValue
            default: days91plus = newValue
            }
        }
    }

    /// As an array: what `CreditAssessment.buckets` holds.
    public var array: [Int64] { [current, days1to30, days31to60, days61to90, days91plus] }

    public var description: String { "\(array)" }
}

/// The risk projector's part of a customer's hot state: its last evaluation, and the open
/// amounts by overdue bucket on the day of that evaluation (the sweep day), kept up to date as
/// installments open and close, so that an evaluation costs O(log n) however many
/// installments are open: moving to a later day only moves the installments whose bucket
/// changes (found by binary search on the due date), each at most once per bucket edge.
public struct RiskSweep: Sendable, Equatable {
    /// The day `buckets` refer to: the last evaluation's (the projector's clock per customer
    /// only moves forward), or the registration's before the first.
    public internal(set) var sweepDay: Day
    public internal(set) var buckets = BucketSums()
    /// The last evaluation; nil before the first.
    public var last: RiskState?
    /// Feed v1.1: the customer's broken promises (all of them) at the last evaluation; the
    /// `promise_broken` alert fires when an evaluation finds more.
    public var brokenPromises = 0

    /// The bucket edges of the model (the contract's defaults).
    static let edges = CreditScoring.bucketEdges

    public init(sweepDay: Day) {
        self.sweepDay = sweepDay
    }

    /// The bucket of an installment due on `dueOn`, on `day`: 0 current, 1 1-30, 2 31-60,
    /// 3 61-90, 4 91+.
    @inline(__always)
    static func bucket(_ day: Day, _ dueOn: Day) -> Int {
        let late = day.days(since: dueOn)
        if late <= 0 { return 0 }
        if late <= 30 { return 1 }
        if late <= 60 { return 2 }
        if late <= 90 { return 3 }
        return 4
    }

    mutating func add(_ delta: Int64, dueOn: Day) {
        guard delta != 0 else { return }
        buckets[RiskSweep.bucket(sweepDay, dueOn)] += delta
    }

    /// Moves the sweep day forward to `day`, moving each open installment whose bucket
    /// changes; calls `crossed(slot, bucket)` for every one with an open amount that entered
    /// a higher bucket.
    mutating func advance(to day: Day, slots: [Slot], crossed: (Int, Int) -> Void) {
        guard day > sweepDay else { return }
        let d0 = sweepDay
        // An installment crosses edge e (late ≤ e before, > e after) when its due date is in
        // [d0 − e, day − e). Edges from the highest: one that crosses several is moved once, at
        // the highest it crosses.
        var upper: Day? = nil  // day − (the next higher edge): due dates below it are done
        for e in [90, 60, 30, 0] {
            var from = d0.adding(days: -e)
            if let upper, upper > from { from = upper }
            let to = day.adding(days: -e)
            upper = to
            guard from < to else { continue }
            var s = CustomerState.firstSlot(dueOnOrAfter: from, in: slots)
            while s < slots.count, slots[s].dueOn < to {
                let open = slots[s].open
                if open > 0 {
                    let b0 = RiskSweep.bucket(d0, slots[s].dueOn)
                    let b1 = RiskSweep.bucket(day, slots[s].dueOn)
                    if b1 != b0 {
                        buckets[b0] -= open
                        buckets[b1] += open
                        crossed(s, b1)
                    }
                }
                s += 1
            }
        }
        sweepDay = day
    }
}

extension CustomerState {
    /// The first slot due on or after `day` (slots are sorted by due date first).
    static func firstSlot(dueOnOrAfter day: Day, in slots: [Slot]) -> Int {
        var lo = 0
        var hi = slots.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if slots[mid].dueOn < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// What the risk projector keeps per customer between evaluations: enough to tell what
/// changed (grade, thresholds crossed). Installments entering the late buckets are found by the
/// sweep (`RiskSweep`), not kept.
public struct RiskState: Sendable, Equatable {
    public var evaluatedOn: Day
    /// The log position of the last evaluation.
    public var seq: UInt64
    public var score: Int
    public var grade: Grade
    /// Per factor, in `RiskFactor` order.
    public var points: FactorPoints
    public var overLimit: Bool
    /// Utilisation above the policy's alert level (over the limit included).
    public var utilisationHigh: Bool

    public init(evaluatedOn: Day, seq: UInt64, score: Int, grade: Grade, points: FactorPoints, overLimit: Bool, utilisationHigh: Bool) {
        self.evaluatedOn = evaluatedOn
        self.seq = seq
        self.score = score
        self.grade = grade
        self.points = points
        self.overLimit = overLimit
        self.utilisationHigh = utilisationHigh
    }
}

/// Points (0–100) per factor, in `RiskFactor` order, inline (no allocation per evaluation).
public struct FactorPoints: Sendable, Equatable, RandomAccessCollection, CustomStringConvertible {
    var values: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)

    public static let count = 6

    public init() {}

    public init(_ points: some Sequence<Int>) {
        for (i, p) in points.enumerated() where i < FactorPoints.count { self[i] = p }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { FactorPoints.count }

    public subscript(i: Int) -> Int {
        get {
            switch i {
            case 0: Int(values.0)
            case 1: Int(values.1)
            case 2: Int(values.2)
            case 3: Int(values.3)
            case 4: Int(values.4)
            default: Int(values.5)
            }
        }
        set {
            let v = UInt8(clamping: newValue)
            switch i {
            case 0: values.0 = v
            case 1: values.1 = v
            case 2: values.2 = v
            case 3: values.3 = v
            case 4: values.4 = v
            default: values.5 = v
            }
        }
    }

    public static func == (a: FactorPoints, b: FactorPoints) -> Bool { a.elementsEqual(b) }

    public var description: String { "\(Array(self))" }
}
