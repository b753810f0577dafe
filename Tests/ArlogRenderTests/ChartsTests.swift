import ArlogDomain
import ArlogRender
import Testing

/// The SVG charts (Sources/ArlogRender/Charts): parsed back with XMLParser and checked for
/// structure (bars, slices, points, labels), accessibility, escaping, edge cases and determinism.
@Suite struct ChartsTests {
    static let eur = ValueFormat.money(Currency(code: "EUR")!)
    static let jpy = ValueFormat.money(Currency(code: "JPY")!)
    static let buckets = ["Current", "1–30", "31–60", "61–90", "Over 90"]

    static func aging(_ values: [[Int64]], categories: [String]) -> BarChart {
        BarChart(categories: categories,
                 series: buckets.indices.map { i in BarSeries(buckets[i], values: values.map { $0[i] }, color: Palette.ordinal[i]) },
                 format: eur)
    }

    static var trend: LineChart {
        let ends = ChartDates.monthEnds(count: 12, endingWith: Day(year: 2026, month: 11, day: 30)!)
        func line(_ name: String, _ base: Int128, _ growth: Int128, _ axis: LineSeries.Axis = .left) -> LineSeries {
            LineSeries(name, points: (0..<12).map { LinePoint(x: $0, value: base + Int128($0 * $0) * growth) }, axis: axis)
        }
        return LineChart(xAxis: .categories(ChartDates.monthLabels(ends)),
                         series: [line("Open", 300_000_00, 1000_00), line("Overdue", 60_000_00, 500_00), line("DSO", 4_210, 10, .right)],
                         left: eur, right: .daysHundredths)
    }

    // MARK: bars

    @Test func stackedBarsOnePerNonZeroSegment() {
        let chart = Self.aging([[100_00, 50_00, 0, 0, 10_00], [200_00, 0, 0, 0, 0], [0, 0, 30_00, 0, 0]], categories: ["ACME", "Globex", "Initech"])
        let doc = SVGDoc(chart.svg(ChartOptions(id: "aging", title: "Aging")))
        doc.expectSound()
        #expect(doc.withClass("ac-bar").count == 5)
        #expect(doc.withClass("ac-legend-item").count == 5)
        for name in ["ACME", "Globex", "Initech"] + Self.buckets { #expect(doc.texts.contains(name), "\(name)") }
        #expect(doc.titles(under: "ac-bar").contains("ACME, Current: 100.00 EUR (62.5%)"))
        #expect(doc.root?.attributes["aria-label"] == "Aging")
        #expect(doc.root?.attributes["class"] == "arlog-chart arlog-chart-bar")
        // The segments of one bar touch: Current's top is 1–30's bottom.
        let acme = doc.withClass("ac-bar").filter { $0.attributes["x"] == doc.withClass("ac-bar")[0].attributes["x"] }
        #expect(acme.count == 3)
        let y0 = Double(acme[0].attributes["y"]!)!
        let y1 = Double(acme[1].attributes["y"]!)! + Double(acme[1].attributes["height"]!)!
        #expect(abs(y0 - y1) < 0.02)
    }

    @Test func negativeValuesGoBelowTheZeroLine() {
        let chart = BarChart(categories: ["Owes", "Credit"], series: [BarSeries("Balance", values: [Int64(500_00), -200_00])], format: Self.eur)
        let doc = SVGDoc(chart.svg(ChartOptions(id: "neg", title: "Balances")))
        doc.expectSound()
        let bars = doc.withClass("ac-bar")
        #expect(bars.count == 2)
        let zero = doc.withClass("ac-zero")
        #expect(zero.count == 1)
        let zeroY = Double(zero[0].attributes["y1"]!)!
        let positiveBottom = Double(bars[0].attributes["y"]!)! + Double(bars[0].attributes["height"]!)!
        let negativeTop = Double(bars[1].attributes["y"]!)!
        #expect(abs(positiveBottom - zeroY) < 0.02)
        #expect(abs(negativeTop - zeroY) < 0.02)
        #expect(doc.titles(under: "ac-bar").contains("Credit: -200.00 EUR"))
        #expect(doc.texts.contains("-200.00"))  // its total, under the bar
    }

    @Test func horizontalBarsCutLongLabelsAndKeepThemWhole() {
        let long = "Internationale Handelsgesellschaft für Maschinenbau und Anlagentechnik mbH & Co. KG"
        let chart = BarChart(categories: [long, "Kurz"], series: [BarSeries("Open", values: [Int64(1_000_00), 2_000_00])], format: Self.eur, orientation: .horizontal)
        let doc = SVGDoc(chart.svg(ChartOptions(id: "h", title: "Open by customer")))
        doc.expectSound()
        #expect(doc.root?.attributes["class"] == "arlog-chart arlog-chart-hbar")
        #expect(doc.withClass("ac-bar").count == 2)
        let labels = doc.withClass("ac-label")
        #expect(labels.count == 2)
        #expect(labels[0].text.hasSuffix("…") && labels[0].text.count < long.count)
        #expect(doc.titles(under: "ac-label") == [long])
        #expect(labels[1].text == "Kurz")
    }

    @Test func crowdedCategoryLabelsRotateOrThin() {
        let names = (1...60).map { "Customer number \($0)" }
        let chart = BarChart(categories: names, series: [BarSeries("Open", values: (1...60).map { Int64($0) * 100 })], format: Self.eur)
        let doc = SVGDoc(chart.svg(ChartOptions(id: "many", title: "Sixty")))
        doc.expectSound()
        #expect(doc.withClass("ac-bar").count == 60)
        let labels = doc.withClass("ac-label")
        #expect(labels.allSatisfy { $0.attributes["transform"]?.hasPrefix("rotate(-45") == true })
        #expect(labels.count < 60 && labels.count >= 10)
        // The first rotated label stays inside the chart on the left.
        let first = labels[0]
        #expect(Double(first.attributes["x"]!)! - TextMetrics.width(first.text, fontSize: 11) * 0.7071 >= 0)
        // Shown labels are at least a line height apart across the slant.
        let xs = labels.map { Double($0.attributes["x"]!)! }
        #expect(zip(xs, xs.dropFirst()).allSatisfy { ($1 - $0) * 0.7071 >= 11 })
    }

    @Test func percentModeSharesOneAxisAcrossCurrencies() {
        let chart = BarChart(categories: ["EUR", "JPY"],
                             series: [BarSeries("Current", values: [Int64(300_00), 9_000]), BarSeries("Overdue", values: [Int64(100_00), 1_000])],
                             format: .percentBasisPoints, orientation: .horizontal, mode: .percent, categoryFormats: [Self.eur, Self.jpy])
        let doc = SVGDoc(chart.svg(ChartOptions(id: "pct", title: "Aging by currency")))
        doc.expectSound()
        #expect(doc.titles(under: "ac-bar") == ["EUR, Current: 300.00 EUR (75.0%)", "EUR, Overdue: 100.00 EUR (25.0%)",
                                                "JPY, Current: 9000 JPY (90.0%)", "JPY, Overdue: 1000 JPY (10.0%)"])
        #expect(doc.texts.contains("100%"))
        #expect(doc.texts.contains("400.00 EUR") && doc.texts.contains("10k JPY"))
        // Both bars end at the same x (100 %).
        let bars = doc.withClass("ac-bar")
        let ends = [1, 3].map { Double(bars[$0].attributes["x"]!)! + Double(bars[$0].attributes["width"]!)! }
        #expect(abs(ends[0] - ends[1]) < 0.02)
    }

    @Test func hugeValuesStayExact() {
        let chart = BarChart(categories: ["max", "min"], series: [BarSeries("Open", values: [Int64.max, Int64.min]), BarSeries("More", values: [Int64.max, Int64.min])], format: Self.jpy)
        let doc = SVGDoc(chart.svg(ChartOptions(id: "huge", title: "Huge")))
        doc.expectSound()
        #expect(doc.withClass("ac-bar").count == 4)
        #expect(doc.titles(under: "ac-bar").contains("max, Open: 9223372036854775807 JPY (50.0%)"))
        #expect(doc.titles(under: "ac-bar").contains("min, More: -9223372036854775808 JPY (50.0%)"))
        // The sum of two Int64.max passes Int64 and is still exact in the description.
        #expect(doc.all("desc").first?.text.contains("max 18446744073709551614 JPY") == true)
    }

    // MARK: donut

    @Test func donutHasOneSlicePerValueAndTheTotalInTheCentre() {
        let donut = DonutChart(slices: Grade.allCases.map { DonutSlice("Grade \($0.letter)", value: Int128(100 + 10 * $0.rawValue), color: Palette.grades[$0.rawValue]) },
                               format: .count("customers"), caption: "customers")
        #expect(donut.drawsDonut)
        let doc = SVGDoc(donut.svg(ChartOptions(id: "grades", title: "Grade mix")))
        doc.expectSound()
        #expect(doc.withClass("ac-slice").count == 5)
        #expect(doc.texts.contains("600"))
        #expect(doc.texts.contains("customers"))
        #expect(doc.titles(under: "ac-slice").first == "Grade A: 100 customers (16.7%)")
        for g in ["A", "B", "C", "D", "E"] { #expect(doc.texts.contains("Grade \(g)")) }
        // Patterns as the second cue: slices B to E are filled with a pattern, A solid.
        let fills = doc.withClass("ac-slice").map { $0.attributes["fill"]! }
        #expect(fills[0] == "#009E73")
        #expect(fills.dropFirst().allSatisfy { $0.hasPrefix("url(#grades-p") })
    }

    @Test func aWholeRingAndZeroSlices() {
        let donut = DonutChart(slices: [DonutSlice("All", value: 7), DonutSlice("None", value: 0)], format: .count())
        let doc = SVGDoc(donut.svg(ChartOptions(id: "whole", title: "One slice")))
        doc.expectSound()
        #expect(doc.withClass("ac-slice").count == 1)
        // Four quarter arcs out and four back: a 100 % slice is not a degenerate arc.
        let d = doc.withClass("ac-slice")[0].attributes["d"]!
        #expect(d.filter { $0 == "A" }.count == 8)
        #expect(doc.texts.contains("0.0%") && doc.texts.contains("100.0%"))
    }

    @Test func donutFallsBackToBarsForTinyOrNegativeSlices() {
        let tiny = DonutChart(slices: [DonutSlice("Big", value: 990), DonutSlice("Tiny", value: 10)], format: .count())
        #expect(!tiny.drawsDonut)  // 1.0 % < 2 %
        let doc = SVGDoc(tiny.svg(ChartOptions(id: "tiny", title: "Mix")))
        doc.expectSound()
        #expect(doc.root?.attributes["class"] == "arlog-chart arlog-chart-hbar")
        #expect(doc.withClass("ac-bar").count == 2)
        #expect(Set(doc.withClass("ac-bar").map { $0.attributes["fill"]! }).count == 2)  // each bar its own colour
        let negative = DonutChart(slices: [DonutSlice("In", value: 50), DonutSlice("Out", value: -20)], format: .count())
        #expect(!negative.drawsDonut)
        #expect(SVGDoc(negative.svg(ChartOptions(id: "n", title: "Net"))).withClass("ac-bar").count == 2)
        let nine = DonutChart(slices: (1...9).map { DonutSlice("S\($0)", value: 10) }, format: .count())
        #expect(!nine.drawsDonut)
        #expect(DonutChart(slices: [DonutSlice("A", value: 98), DonutSlice("B", value: 2)], format: .count()).drawsDonut)  // exactly 2 %
    }

    // MARK: lines

    @Test func trendHasEveryPointAndASecondAxis() {
        let doc = SVGDoc(Self.trend.svg(ChartOptions(id: "trend", title: "Month-end trend")))
        doc.expectSound()
        #expect(doc.withClass("ac-line").count == 3)
        #expect(doc.withClass("ac-point").count == 36)
        #expect(doc.withClass("ac-axis-y").count == 1 && doc.withClass("ac-axis-y2").count == 1)
        #expect(doc.texts.contains("DSO (right axis)"))
        #expect(doc.texts.contains("EUR") && doc.texts.contains("days"))
        #expect(doc.texts.contains("Dec") && doc.texts.contains("2025") && doc.texts.contains("2026") && doc.texts.contains("Nov"))
        #expect(doc.titles(under: "ac-point").contains("DSO, Nov 2026: 54.20 days"))  // 4210 + 11² × 10 hundredths
        // Series differ in dash and marker, not only in colour.
        let dashes = doc.withClass("ac-line").map { $0.attributes["stroke-dasharray"] ?? "" }
        #expect(Set(dashes).count == 3)
        // Events on a categories axis: one at a month is marked, one outside the months is left out.
        var marked = Self.trend
        marked.events = [ChartEvent(x: 3, label: "Policy"), ChartEvent(x: 12, label: "Outside"), ChartEvent(x: -1, label: "Before")]
        let withEvents = SVGDoc(marked.svg(ChartOptions(id: "trend-e", title: "Trend")))
        withEvents.expectSound()
        #expect(withEvents.withClass("ac-event-label").map(\.text) == ["Policy"])
        #expect(withEvents.titles(under: "ac-event") == ["Policy (Mar 2026)"])
    }

    @Test func gradeChangesAreMarked() {
        let start = Day(year: 2026, month: 1, day: 3)!
        let points = (0..<10).map { LinePoint(day: start.adding(days: $0 * 30), value: Int128(80 - $0 * 2)) }
        let events = [
            ChartEvent(day: start.adding(days: 90), label: "A→B", detail: "Grade A to B", direction: .down),
            ChartEvent(day: start.adding(days: 95), label: "B→A", detail: "Grade B to A", direction: .up),
            ChartEvent(day: start.adding(days: 240), label: "B→C", detail: "Grade B to C", direction: .down),
        ]
        let chart = LineChart(xAxis: .days, series: [LineSeries("Score", points: points)], left: .count("points"), events: events, includeZero: false)
        let doc = SVGDoc(chart.svg(ChartOptions(id: "score", title: "Score")))
        doc.expectSound()
        #expect(doc.withClass("ac-event").count == 3)
        #expect(doc.withClass("ac-event-guide").count == 3)
        #expect(doc.titles(under: "ac-event") == ["Grade A to B (2026-04-03)", "Grade B to A (2026-04-08)", "Grade B to C (2026-08-31)"])
        // Two events five days apart: their labels go to different lanes and both show.
        #expect(doc.withClass("ac-event-label").map(\.text) == ["A→B", "B→A", "B→C"])
        let ys = doc.withClass("ac-event-label").map { $0.attributes["y"]! }
        #expect(ys[0] != ys[1])
        // A ring on the score's point where an event falls on one (day 90 and day 240).
        #expect(doc.withClass("ac-event-ring").count == 2)
        // The axis does not start at zero when told not to.
        #expect(!doc.withClass("ac-axis-y").isEmpty)
        #expect(!doc.texts.contains("0"))
    }

    @Test func onePointIsAMarkerWithoutALine() {
        let chart = LineChart(xAxis: .days, series: [LineSeries("Score", points: [LinePoint(day: Day(year: 2026, month: 3, day: 1)!, value: 71)])], left: .count(), includeZero: false)
        let doc = SVGDoc(chart.svg(ChartOptions(id: "one", title: "One")))
        doc.expectSound()
        #expect(doc.withClass("ac-line").isEmpty)
        #expect(doc.withClass("ac-point").count == 1)
        // One value is centred: 70, 71, 72 on the axis, the point on the 71 line.
        let ticks = doc.withClass("ac-axis-y").flatMap { _ in doc.all("text").filter { ["70", "71", "72"].contains($0.text) } }
        #expect(Set(ticks.map(\.text)) == ["70", "71", "72"])
        let grid71 = doc.withClass("ac-grid").first { line in
            ticks.contains { $0.text == "71" && abs(Double($0.attributes["y"]!)! - 3.5 - Double(line.attributes["y1"]!)!) < 0.02 }
        }
        let circle = doc.all("circle").first { $0.parents.contains { doc.elements[$0].classes.contains("ac-point") } }
        #expect(grid71 != nil && circle != nil)
        #expect(abs(Double(circle!.attributes["cy"]!)! - Double(grid71!.attributes["y1"]!)!) < 0.02)
    }

    @Test func anEventAtTheRightEdgeLabelsLeftwards() {
        let a = Day(year: 2026, month: 1, day: 1)!
        let chart = LineChart(xAxis: .days, series: [LineSeries("Score", points: [LinePoint(day: a, value: 80), LinePoint(day: a.adding(days: 200), value: 60)])],
                              left: .count(), events: [ChartEvent(day: a.adding(days: 200), label: "B→C (long)", direction: .down)], includeZero: false)
        let doc = SVGDoc(chart.svg(ChartOptions(id: "edge", title: "Edge")))
        doc.expectSound()
        let label = doc.withClass("ac-event-label")
        #expect(label.count == 1 && label[0].attributes["text-anchor"] == "end")
    }

    // MARK: edge cases for every kind

    static func everyKind(_ options: ChartOptions, categories: [String], values: [Int64]) -> [String] {
        [
            BarChart(categories: categories, series: [BarSeries("Open", values: values)], format: eur).svg(options),
            BarChart(categories: categories, series: [BarSeries("Open", values: values), BarSeries("Due", values: values)], format: eur, orientation: .horizontal).svg(options),
            DonutChart(slices: zip(categories, values).map { DonutSlice($0, value: Int128($1)) }, format: eur).svg(options),
            LineChart(xAxis: .categories(categories.map { AxisLabel($0) }), series: [LineSeries("Open", points: values.enumerated().map { LinePoint(x: $0.offset, value: Int128($0.element)) })], left: eur).svg(options),
        ]
    }

    @Test func noDataSaysSo() {
        for svg in Self.everyKind(ChartOptions(id: "empty", title: "Nothing"), categories: [], values: []) {
            let doc = SVGDoc(svg)
            doc.expectSound()
            #expect(doc.withClass("ac-empty").map(\.text) == ["No data"])
            #expect(doc.all("desc").first?.text == "No data.")
            #expect(doc.withClass("ac-bar").isEmpty && doc.withClass("ac-slice").isEmpty && doc.withClass("ac-point").isEmpty)
        }
        // Categories without series are no data too.
        #expect(SVGDoc(BarChart(categories: ["A"], series: [], format: Self.eur).svg(ChartOptions(id: "e", title: "E"))).withClass("ac-empty").count == 1)
    }

    @Test func allZerosSaySo() {
        for svg in Self.everyKind(ChartOptions(id: "zero", title: "Zeros"), categories: ["A", "B", "C"], values: [0, 0, 0]) {
            let doc = SVGDoc(svg)
            doc.expectSound()
            #expect(doc.withClass("ac-note").first.map { _ in true } == true)
            #expect(doc.texts.contains("All values are zero."), "\(doc.root?.attributes["class"] ?? "")")
        }
    }

    @Test func oneCategory() {
        for svg in Self.everyKind(ChartOptions(id: "one", title: "One"), categories: ["Only"], values: [1_234_56]) {
            let doc = SVGDoc(svg)
            doc.expectSound()
            #expect(doc.texts.contains("Only") || doc.titles(under: "ac-slice").first?.hasPrefix("Only") == true)
        }
    }

    @Test func everyTextIsEscapedAndNonASCIIKept() {
        let hostile = "<script>alert('x')</script> & \"quotes\" ]]> \u{1}\u{FFFE}"
        let names = [hostile, "北京贸易有限公司", "Müller & Söhne", "😀 émoji", "שלום"]
        for svg in Self.everyKind(ChartOptions(id: "esc\"<", title: hostile, summary: hostile), categories: names, values: [5_00, 4_00, 3_00, 2_00, 1_00]) {
            #expect(!svg.contains("<script>"))
            #expect(!svg.contains("\u{1}"))
            let doc = SVGDoc(svg)
            doc.expectSound()
            // The parser gives the text back as written (controls as U+FFFD, one line).
            let expected = "<script>alert('x')</script> & \"quotes\" ]]> \u{FFFD}"
            #expect(doc.root?.attributes["aria-label"] == expected)
            #expect(doc.all("desc").first?.text == expected)
            let shown = doc.texts + doc.all("title").map(\.text)
            for name in names.dropFirst() { #expect(shown.contains { $0.contains(name) }, "\(name)") }
            #expect(doc.root?.attributes["aria-describedby"] == "esc__-desc")
        }
        #expect(SVGText.escape("<a & \"b\" 'c'>") == "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;")
        #expect(SVGText.escape("a\u{0}b\u{B}c\u{FFFF}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}")
        #expect(SVGText.escape("line\nbreak\ttab") == "line&#10;break&#9;tab")
        #expect(SVGText.label("  two\n lines\t ") == "two lines")
        #expect(SVGText.label(String(repeating: "x", count: 500)).count == SVGText.labelCharactersMax + 1)
    }

    @Test func sameInputSameBytes() {
        let options = ChartOptions(id: "d", title: "Determinism")
        let a = Self.everyKind(options, categories: ["A", "B", "C"], values: [3, -1, 2]) + [Self.trend.svg(options)]
        let b = Self.everyKind(options, categories: ["A", "B", "C"], values: [3, -1, 2]) + [Self.trend.svg(options)]
        #expect(a == b)
        // A fixed expected form for a tiny chart: no locale, no float noise.
        let bar = BarChart(categories: ["A"], series: [BarSeries("S", values: [Int64(150)])], format: .count()).svg(ChartOptions(id: "t", title: "T", width: 300, height: 200))
        #expect(bar.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 300 200\" role=\"img\" aria-label=\"T\""))
        #expect(bar.contains("<title>A: 150</title>"))
        // No exponent form anywhere: no digit, `e` and a sign or digit in a row.
        let bytes = Array(bar.utf8)
        let digit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        #expect(!bytes.indices.dropFirst().dropLast().contains { i in
            (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) && digit(bytes[i - 1])
                && (digit(bytes[i + 1]) || bytes[i + 1] == UInt8(ascii: "-") || bytes[i + 1] == UInt8(ascii: "+"))
        })
    }

    @Test func sizesAreClampedAndIdsPrefixed() {
        let svg = Self.trend.svg(ChartOptions(id: "", title: "Tiny", width: 10, height: .nan))
        let doc = SVGDoc(svg)
        doc.expectSound()
        #expect(doc.root?.attributes["viewBox"] == "0 0 200 360")
        #expect(doc.elements.compactMap { $0.attributes["id"] }.allSatisfy { $0.hasPrefix("chart-") })
    }

    @Test func limitsCutWithANote() {
        let n = ChartLimits.categoriesMax + 5
        let chart = BarChart(categories: (0..<n).map { "C\($0)" }, series: [BarSeries("Open", values: (0..<n).map { Int64($0) })], format: .count())
        let doc = SVGDoc(chart.svg(ChartOptions(id: "lim", title: "Too many", width: 4000)))
        doc.expectSound()
        #expect(doc.withClass("ac-bar").count == ChartLimits.categoriesMax - 1)  // C0 is zero
        #expect(doc.texts.contains("Showing the first \(ChartLimits.categoriesMax) of \(n) categories."))
    }
}
