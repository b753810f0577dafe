// Developer tool: writes every chart kind, with ordinary and edge-case data, as .svg files and
// one HTML page to a directory (default /tmp/arlog-charts), to look at them:
//   swift run arlog-chart-samples [dir]
//   rsvg-convert -o /tmp/arlog-charts/aging.png /tmp/arlog-charts/aging.svg
// Not a product and not used by arlog; generated files are not committed.
import ArlogDomain
import ArlogRender
import Foundation

let dir = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/tmp/arlog-charts"
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

let eur = Currency(code: "EUR")!
let jpy = Currency(code: "JPY")!
let kwd = Currency(code: "KWD")!
let buckets = ["Current", "1–30", "31–60", "61–90", "Over 90"]

var charts: [(String, String)] = []

// Aging, absolute, one currency, customers as categories (a credit balance included).
charts.append(("aging-eur", BarChart(
    categories: ["ACME GmbH", "Müller & Söhne", "北京贸易有限公司", "Globex", "Initech", "Credit Ltd"],
    series: buckets.enumerated().map { i, b in
        BarSeries(b, values: [[1_250_000_00, 310_000_00, 120_000_00, 0, 45_000_00],
                              [820_000_00, 0, 95_500_00, 40_000_00, 0],
                              [400_000_00, 220_000_00, 0, 0, 0],
                              [150_000_00, 50_000_00, 30_000_00, 20_000_00, 310_000_00],
                              [60_000_00, 0, 0, 0, 0],
                              [-85_000_00, 0, 0, 0, 0]].map { Int64($0[i]) }, color: Palette.ordinal[i])
    },
    format: .money(eur)).svg(ChartOptions(id: "aging-eur", title: "Aging by customer (EUR)"))))

// Aging per currency, percent mode: currencies with different units on one axis.
charts.append(("aging-currencies", BarChart(
    categories: ["EUR", "JPY", "KWD"],
    series: buckets.enumerated().map { i, b in
        BarSeries(b, values: [[2_580_000_00, 580_000_00, 245_500_00, 60_000_00, 355_000_00],
                              [95_000_000, 12_000_000, 0, 3_000_000, 1_000_000],
                              [12_500_000, 1_250_000, 900_000, 0, 0]].map { Int64($0[i]) }, color: Palette.ordinal[i])
    },
    format: .percentBasisPoints, orientation: .horizontal, mode: .percent,
    categoryFormats: [.money(eur), .money(jpy), .money(kwd)]).svg(ChartOptions(id: "aging-ccy", title: "Aging by currency (share of each currency's open amount)", height: 260))))

// Grade mix as a donut and as its bar fallback.
let gradeCounts: [Int128] = [412, 388, 201, 64, 23]
charts.append(("grades-donut", DonutChart(
    slices: Grade.allCases.map { DonutSlice("Grade \($0.letter)", value: gradeCounts[$0.rawValue], color: Palette.grades[$0.rawValue]) },
    format: .count("customers"), caption: "customers").svg(ChartOptions(id: "grades", title: "Grade mix", height: 280))))
charts.append(("grades-fallback", DonutChart(
    slices: Grade.allCases.map { DonutSlice("Grade \($0.letter)", value: [912, 388, 201, 6, 2][$0.rawValue], color: Palette.grades[$0.rawValue]) },
    format: .count("customers"), caption: "customers").svg(ChartOptions(id: "grades-fb", title: "Grade mix (a tiny slice: bars)", height: 260))))

// Month-end trend: open and overdue (EUR) with DSO (days) on a second axis.
let ends = ChartDates.monthEnds(count: 12, endingWith: Day(year: 2026, month: 11, day: 30)!)
let open: [Int64] = [3_100_000_00, 3_250_000_00, 3_400_000_00, 3_380_000_00, 3_520_000_00, 3_610_000_00, 3_700_000_00, 3_650_000_00, 3_820_000_00, 3_900_000_00, 3_760_000_00, 3_820_500_00]
let overdue: [Int64] = [620_000_00, 700_000_00, 690_000_00, 810_000_00, 760_000_00, 840_000_00, 920_000_00, 880_000_00, 1_010_000_00, 990_000_00, 940_000_00, 1_000_000_00]
let dso: [Int64] = [4210, 4350, 4480, 4620, 4550, 4700, 4890, 4810, 5020, 5140, 4980, 5060]
charts.append(("trend", LineChart(
    xAxis: .categories(ChartDates.monthLabels(ends)),
    series: [
        LineSeries("Open", points: open.enumerated().map { LinePoint(x: $0.offset, value: Int128($0.element)) }),
        LineSeries("Overdue", points: overdue.enumerated().map { LinePoint(x: $0.offset, value: Int128($0.element)) }),
        LineSeries("DSO", points: dso.enumerated().map { LinePoint(x: $0.offset, value: Int128($0.element)) }, axis: .right),
    ],
    left: .money(eur), right: .daysHundredths).svg(ChartOptions(id: "trend", title: "Open, overdue and DSO at month end"))))

// A customer's score with its grade changes.
let start = Day(year: 2026, month: 1, day: 3)!
var scorePoints: [LinePoint] = []
let scores: [Int128] = [82, 81, 79, 76, 74, 71, 68, 66, 69, 72, 75, 77, 80, 78, 74, 70]
for (i, s) in scores.enumerated() { scorePoints.append(LinePoint(day: start.adding(days: i * 21), value: s)) }
charts.append(("score", LineChart(
    xAxis: .days,
    series: [LineSeries("Score", points: scorePoints)],
    left: .count("points"),
    events: [
        ChartEvent(day: start.adding(days: 3 * 21), label: "A→B", detail: "Grade A to B", direction: .down),
        ChartEvent(day: start.adding(days: 6 * 21), label: "B→C", detail: "Grade B to C", direction: .down),
        ChartEvent(day: start.adding(days: 10 * 21), label: "C→B", detail: "Grade C to B", direction: .up),
        ChartEvent(day: start.adding(days: 15 * 21), label: "B→C", detail: "Grade B to C", direction: .down),
    ],
    includeZero: false).svg(ChartOptions(id: "score", title: "Credit score of ACME GmbH, with grade changes"))))

// Edge cases.
charts.append(("empty", BarChart(categories: [], series: [], format: .money(eur)).svg(ChartOptions(id: "empty", title: "Aging (no data)", height: 200))))
charts.append(("zeros", BarChart(categories: ["A", "B"], series: [BarSeries("Open", values: [Int64(0), 0])], format: .money(eur)).svg(ChartOptions(id: "zeros", title: "All zeros", height: 240))))
charts.append(("one-point", LineChart(xAxis: .days, series: [LineSeries("Score", points: [LinePoint(day: start, value: 71)])], left: .count("points"), includeZero: false).svg(ChartOptions(id: "one", title: "One point", height: 240))))
charts.append(("huge", BarChart(categories: ["Int64.max", "Int64.min"], series: [BarSeries("Open", values: [Int64.max, Int64.min])], format: .money(jpy)).svg(ChartOptions(id: "huge", title: "Huge values (JPY)", height: 260))))
charts.append(("many", BarChart(categories: (1...40).map { "Customer with a long name number \($0)" }, series: [BarSeries("Open", values: (1...40).map { Int64($0 * 1_000_00) })], format: .money(eur)).svg(ChartOptions(id: "many", title: "Forty long labels"))))

var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>arlog charts</title><style>body{font-family:system-ui,sans-serif;margin:2rem}"
html += ChartCSS.stylesheet + "</style></head><body><h1>arlog chart samples</h1>\n"
for (name, svg) in charts {
    try svg.write(toFile: "\(dir)/\(name).svg", atomically: true, encoding: .utf8)
    html += "<h2>\(name)</h2>\n" + svg
}
html += "</body></html>\n"
try html.write(toFile: "\(dir)/index.html", atomically: true, encoding: .utf8)
print("wrote \(charts.count) charts and index.html to \(dir)")
