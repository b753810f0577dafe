import ArlogDomain
import ArlogRender
import Testing

/// Nice ticks, number and date labels of the chart axes (Sources/ArlogRender/Charts), on
/// cases computed by hand.
@Suite struct ChartsScaleTests {
    @Test func heckbertsOwnExample() {
        // range = nicenum(95, ceil) = 100; step = nicenum(100 / 4 = 25, round) = 20.
        let s = NiceScale(low: 0, high: 95, tickCount: 5)
        #expect(s.step == 20)
        #expect(s.ticks == [0, 20, 40, 60, 80, 100])
    }

    @Test func negativeToPositive() {
        // range = nicenum(6912, ceil) = 10000; step = nicenum(2500, round) = 2000 (f = 2.5 < 3);
        // floor(-1234 / 2000) = -1, ceil(5678 / 2000) = 3.
        let s = NiceScale(low: -1234, high: 5678, tickCount: 5)
        #expect(s.ticks == [-2000, 0, 2000, 4000, 6000])
        #expect(s.labels(.count()) == ["-2000", "0", "2000", "4000", "6000"])
    }

    @Test func roundingThresholds() {
        // range 0…70 → nicenum(70, ceil) = 100 → 100/4 = 25 → 2 (f < 3) → step 20.
        #expect(NiceScale(low: 0, high: 70, tickCount: 5).step == 20)
        // 0…12 → nicenum(12, ceil) = 20 → 20/4 = 5 → f = 5 < 7 → 5.
        #expect(NiceScale(low: 0, high: 12, tickCount: 5).step == 5)
        // 0…3, 11 ticks → nicenum(3, ceil) = 5 → 5/10 = 0.5 < 1 → the one-unit floor.
        #expect(NiceScale(low: 0, high: 3, tickCount: 11).step == 1)
        // 0…700, 3 ticks → nicenum(700, ceil) = 1000 → 1000/2 = 500 → 5 × 100.
        #expect(NiceScale(low: 0, high: 700, tickCount: 3).ticks == [0, 500, 1000])
        // 0…1400, 3 ticks → nicenum(1400, ceil) = 2000 → 2000/2 = 1000 → 1 × 1000.
        #expect(NiceScale(low: 0, high: 1400, tickCount: 3).ticks == [0, 1000, 2000])
    }

    @Test func moneyLabelsUseTheCurrencyAndACompactSuffix() {
        let eur = ValueFormat.money(Currency(code: "EUR")!)
        // 0 … 1 000 000.00 EUR in cents; step 2 × 10^7 cents = 200 000 EUR → 0.2M.
        let s = NiceScale(low: 0, high: 100_000_000, tickCount: 6)
        #expect(s.step == 20_000_000)
        #expect(s.labels(eur) == ["0", "0.2M", "0.4M", "0.6M", "0.8M", "1.0M"])
        // Below 10 000 EUR the labels are plain amounts, with as many decimals as the step needs.
        #expect(NiceScale(low: 0, high: 500_000, tickCount: 6).labels(eur) == ["0", "1000", "2000", "3000", "4000", "5000"])
        #expect(NiceScale(low: 0, high: 5, tickCount: 6).labels(eur) == ["0", "0.01", "0.02", "0.03", "0.04", "0.05"])
        #expect(NiceScale(low: 0, high: 50, tickCount: 6).labels(eur) == ["0", "0.1", "0.2", "0.3", "0.4", "0.5"])
        // 3 fraction digits (KWD): 0 … 250 000.000 → range nicenum(2.5e8, ceil) = 5e8 → 5e8/5 = 1e8
        // (100 000 KWD) → 100k steps.
        let kwd = ValueFormat.money(Currency(code: "KWD")!)
        #expect(NiceScale(low: 0, high: 250_000_000, tickCount: 6).labels(kwd) == ["0", "100k", "200k", "300k"])
        // Without compact, every digit.
        let plain = ValueFormat(fractionDigits: 2, unit: "EUR", compact: false)
        #expect(NiceScale(low: 0, high: 100_000_000, tickCount: 3).labels(plain) == ["0", "500000", "1000000"])
    }

    @Test func percentAndDays() {
        #expect(NiceScale(low: 0, high: 10_000, tickCount: 6).labels(.percentBasisPoints) == ["0%", "20%", "40%", "60%", "80%", "100%"])
        // DSO 42.10 … 51.40 days in hundredths, not from zero.
        let s = NiceScale(low: 4210, high: 5140, tickCount: 5)
        #expect(s.ticks == [4200, 4400, 4600, 4800, 5000, 5200])
        #expect(s.labels(.daysHundredths) == ["42", "44", "46", "48", "50", "52"])
    }

    @Test func equalValuesAndZerosGetASpan() {
        // All zeros: one major unit (1.00 EUR).
        let z = NiceScale(low: 0, high: 0, tickCount: 5, spanMin: 100)
        #expect(z.lower == 0 && z.upper == 100)
        // One negative value: the span goes up to zero, not away from it.
        let n = NiceScale(low: -500, high: -500, tickCount: 5, spanMin: 1)
        #expect(n.lower <= -500 && n.upper >= -500)
        #expect(n.upper > n.lower)
    }

    @Test func int64ExtremesNeitherOverflowNorLoseDigits() {
        let s = NiceScale(low: Int128(Int64.min), high: Int128(Int64.max), tickCount: 5)
        #expect(s.lower <= Int128(Int64.min) && s.upper >= Int128(Int64.max))
        #expect(s.step == 5_000_000_000_000_000_000)
        #expect(s.ticks == [-10_000_000_000_000_000_000, -5_000_000_000_000_000_000, 0, 5_000_000_000_000_000_000, 10_000_000_000_000_000_000])
        let jpy = ValueFormat.money(Currency(code: "JPY")!)
        #expect(s.labels(jpy) == ["-10qn", "-5qn", "0", "5qn", "10qn"])
        #expect(jpy.exact(Int128(Int64.max)) == "9223372036854775807")
        #expect(jpy.short(Int128(Int64.max)) == "9.2qn")
        // Beyond the clamp: still finite ticks.
        let far = NiceScale(low: -Int128.max, high: Int128.max)
        #expect(far.upper == NiceScale.valueMagnitudeMax && far.lower == -NiceScale.valueMagnitudeMax)
    }

    @Test func everyStepIsOneTwoOrFiveTimesAPowerOfTen() {
        var g = SplitMix(seed: 11)
        for _ in 0..<2000 {
            let a = Int128(Int64(bitPattern: g.next()) >> Int(g.next() % 60))
            let b = Int128(Int64(bitPattern: g.next()) >> Int(g.next() % 60))
            let count = Int(g.next() % 9) + 2
            let s = NiceScale(low: a, high: b, tickCount: count)
            var m = s.step
            while m % 10 == 0 { m /= 10 }
            #expect([1, 2, 5].contains(m), "step \(s.step)")
            #expect(s.lower <= min(a, b) && s.upper >= max(a, b))
            #expect(s.lower % s.step == 0 && s.upper % s.step == 0)
            #expect(s.ticks.count >= 2 && s.ticks.count <= 2 * count + 2, "\(a) \(b) \(count): \(s.ticks.count)")
            let labels = s.labels(.money(Currency(code: "EUR")!))
            #expect(Set(labels).count == labels.count, "labels repeat: \(labels)")
        }
    }

    @Test func exactAndShortValues() {
        #expect(ChartNumber.fixed(-5, decimals: 2) == "-0.05")
        #expect(ChartNumber.fixed(123_450, decimals: 2) == "1234.50")
        #expect(ChartNumber.fixed(7, decimals: 0) == "7")
        let eur = ValueFormat.money(Currency(code: "EUR")!)
        #expect(eur.short(999_999) == "9999.99")
        #expect(eur.short(1_234_567) == "12.3k")
        #expect(eur.short(-1_235_000) == "-12.4k")  // half away from zero
        #expect(eur.short(99_995_000) == "1M")  // 999.95k rounds to 1000.0k, written 1M
        #expect(ChartNumber.permille(1, of: 3) == 333)
        #expect(ChartNumber.permille(2, of: 3) == 667)
        #expect(ChartNumber.percentText(permille: 5) == "0.5%")
    }

    @Test func svgNumbersAreFixedAndFinite() {
        #expect(SVGText.number(12) == "12")
        #expect(SVGText.number(12.5) == "12.5")
        #expect(SVGText.number(3.14159) == "3.14")
        #expect(SVGText.number(-3.05) == "-3.05")
        #expect(SVGText.number(-0.001) == "0")
        #expect(SVGText.number(.nan) == "0")
        #expect(SVGText.number(.infinity) == "0")
        #expect(SVGText.number(1e300) == "1000000")
    }

    @Test func monthLabelsShowTheYearWhereItChanges() {
        let ends = ChartDates.monthEnds(count: 12, endingWith: Day(year: 2026, month: 11, day: 30)!)
        #expect(ends.count == 12)
        #expect(ends.first == Day(year: 2025, month: 12, day: 31))
        #expect(ends[2] == Day(year: 2026, month: 2, day: 28))
        #expect(ends.last == Day(year: 2026, month: 11, day: 30))
        let labels = ChartDates.monthLabels(ends)
        #expect(labels[0] == AxisLabel("Dec", sub: "2025"))
        #expect(labels[1] == AxisLabel("Jan", sub: "2026"))
        #expect(labels[2] == AxisLabel("Feb"))
    }

    @Test func timeScaleChoosesRoundDatesThatFit() {
        let a = Day(year: 2026, month: 1, day: 3)!
        let b = Day(year: 2026, month: 12, day: 20)!
        // Room for 12 labels: month starts, Feb to Dec (Jan 1 is before the data).
        let monthly = TimeScale(first: a, last: b, ticksMax: 12)
        #expect(monthly.ticks.count == 11)
        #expect(monthly.ticks.first == Day(year: 2026, month: 2, day: 1))
        #expect(monthly.labels.first == AxisLabel("Feb", sub: "2026"))
        #expect(monthly.labels[1] == AxisLabel("Mar"))
        // Room for 5: every other month (Mar, May, Jul, Sep, Nov).
        let bimonthly = TimeScale(first: a, last: b, ticksMax: 5)
        #expect(bimonthly.ticks == [3, 5, 7, 9, 11].map { Day(year: 2026, month: $0, day: 1)! })
        #expect(bimonthly.labels.map(\.main) == ["Mar", "May", "Jul", "Sep", "Nov"])
        // Room for 3: quarter starts (Apr, Jul, Oct).
        #expect(TimeScale(first: a, last: b, ticksMax: 3).ticks == [4, 7, 10].map { Day(year: 2026, month: $0, day: 1)! })
        // Ten days: every day or every other one.
        let short = TimeScale(first: a, last: a.adding(days: 10), ticksMax: 6)
        #expect(short.ticks.count <= 6 && short.ticks.count >= 2)
        #expect(short.labels.first?.main.hasSuffix("Jan") == true)
        // One day: widened a week each side.
        let one = TimeScale(first: a, last: a, ticksMax: 8)
        #expect(one.first == a.adding(days: -7) && one.last == a.adding(days: 7))
        #expect(!one.ticks.isEmpty)
        // Decades of data: year ticks.
        let long = TimeScale(first: Day(year: 1990, month: 5, day: 1)!, last: Day(year: 2026, month: 5, day: 1)!, ticksMax: 8)
        #expect(long.labels.map(\.main) == ["1995", "2000", "2005", "2010", "2015", "2020", "2025"])
    }
}

/// A small deterministic generator for the property checks.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
