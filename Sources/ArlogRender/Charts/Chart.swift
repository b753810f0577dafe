/// What every chart is given besides its data.
public struct ChartOptions: Sendable {
    /// Prefix of every `id` in the SVG (title, description, patterns, clip paths). Several charts
    /// inlined into one HTML page share one id space, so each needs its own. Letters, digits, `-`
    /// and `_` are kept, anything else becomes `_`; an empty id becomes `chart`.
    public var id: String
    /// The visible heading and the accessible name (`aria-label`, `<title>`).
    public var title: String
    /// The accessible description (`<desc>`); when nil the chart writes a summary of its data.
    public var summary: String?
    /// The size of the viewBox in user units (the SVG scales to its container; these set the
    /// proportions and the text size relative to the chart). Clamped to `ChartLimits`.
    public var width: Double
    public var height: Double

    public init(id: String, title: String, width: Double = 640, height: Double = 360, summary: String? = nil) {
        self.id = id
        self.title = title
        self.width = width
        self.height = height
        self.summary = summary
    }

    var safeID: String {
        var out = ""
        for s in id.unicodeScalars {
            let ok = (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "-" || s == "_"
            out.unicodeScalars.append(ok ? s : "_")
        }
        if out.isEmpty { return "chart" }
        if let f = out.unicodeScalars.first, f >= "0" && f <= "9" { return "c" + out }
        return out
    }
}

/// The limits of a chart's input. Past them the chart draws what fits and says so in a note:
/// a chart is read by eye, and a page of 10 000 bars or a 1 MB SVG helps nobody.
public enum ChartLimits {
    /// Bars (categories) of a bar chart and slices of a donut.
    public static let categoriesMax = 500
    /// Series of a bar or line chart (stack segments, lines).
    public static let seriesMax = 24
    /// Points of one line series.
    public static let pointsMax = 5000
    /// Event markers of a line chart.
    public static let eventsMax = 200
    /// The viewBox's sides, in user units.
    public static let sizeMin = 200.0
    public static let sizeMax = 4000.0
}

/// Text sizes and spacing, in user units.
enum ChartStyle {
    static let titleSize = 15.0
    static let fontSize = 11.0
    static let smallSize = 10.0
    static let margin = 12.0
    static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif"
}

/// An entry of a legend: a name and how its series looks.
struct LegendItem {
    enum Swatch {
        case fill(String)  // a fill value: a colour or url(#pattern)
        case line(color: String, dash: String, marker: LineStyle.Marker)
    }
    var name: String
    var swatch: Swatch
}

/// The SVG document of one chart being written: the root element, its title and description,
/// and the pieces every chart shares (legend, notes, the no-data text).
struct ChartCanvas {
    var w = SVGWriter()
    let id: String
    let width: Double
    let height: Double
    let title: String

    init(_ options: ChartOptions, kind: String, summary: String) {
        id = options.safeID
        width = min(max(options.width.isFinite ? options.width : 640, ChartLimits.sizeMin), ChartLimits.sizeMax)
        height = min(max(options.height.isFinite ? options.height : 360, ChartLimits.sizeMin), ChartLimits.sizeMax)
        title = SVGText.label(options.title)
        let desc = options.summary.map(SVGText.label) ?? summary
        w.open("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(px(width)) \(px(height))"),
            ("role", "img"), ("aria-label", title.isEmpty ? kind : title), ("aria-describedby", id + "-desc"),
            ("class", "arlog-chart arlog-chart-\(kind)"), ("font-family", ChartStyle.fontFamily),
            ("font-size", px(ChartStyle.fontSize)), ("fill", Palette.text),
        ])
        w.newline()
        w.element("title", [("id", id + "-title")], text: title.isEmpty ? kind : title)
        w.element("desc", [("id", id + "-desc")], text: desc)
        w.newline()
        w.empty("rect", [("class", "ac-bg"), ("width", px(width)), ("height", px(height)), ("fill", "#FFFFFF")])
        if !title.isEmpty {
            let fitted = TextMetrics.fit(title, maxWidth: width - 2 * ChartStyle.margin, fontSize: ChartStyle.titleSize)
            w.element("text", [("class", "ac-title"), ("x", px(ChartStyle.margin)), ("y", px(ChartStyle.margin + ChartStyle.titleSize)),
                               ("font-size", px(ChartStyle.titleSize)), ("font-weight", "600")], text: fitted.text)
        }
        w.newline()
    }

    /// Where the content below the title starts.
    var top: Double { title.isEmpty ? ChartStyle.margin : ChartStyle.margin + ChartStyle.titleSize + 10 }

    mutating func finish() -> String {
        w.close("svg")
        w.newline()
        return w.text
    }

    /// Writes the fill patterns of `colors` (series i gets pattern i) and returns each series'
    /// fill value.
    mutating func patterns(_ colors: [ChartColor]) -> [String] {
        var fills: [String] = []
        var opened = false
        for (i, c) in colors.enumerated() {
            let p = FillPattern.forSeries(i)
            if p == .solid {
                fills.append(c.hex)
                continue
            }
            if !opened {
                w.open("defs")
                opened = true
            }
            let pid = "\(id)-p\(i)"
            p.define(id: pid, color: c, into: &w)
            fills.append("url(#\(pid))")
        }
        if opened {
            w.close("defs")
            w.newline()
        }
        return fills
    }

    private func legendLayout(_ items: [LegendItem], width available: Double) -> (positions: [(x: Double, row: Int, text: String, cut: Bool)], height: Double) {
        guard !items.isEmpty else { return ([], 0) }
        var positions: [(x: Double, row: Int, text: String, cut: Bool)] = []
        var x = 0.0
        var row = 0
        for item in items {
            let fitted = TextMetrics.fit(item.name, maxWidth: min(180, available - 30), fontSize: ChartStyle.fontSize)
            let itemWidth = 22 + TextMetrics.width(fitted.text, fontSize: ChartStyle.fontSize) + 14
            if x > 0 && x + itemWidth > available {
                row += 1
                x = 0
            }
            positions.append((x, row, fitted.text, fitted.cut))
            x += itemWidth
        }
        return (positions, Double(row + 1) * 18)
    }

    /// Draws a legend from (x, y) (top left), wrapping at `width`; returns its height.
    @discardableResult
    mutating func legend(_ items: [LegendItem], x left: Double, y top: Double, width available: Double) -> Double {
        let (positions, height) = legendLayout(items, width: available)
        guard !items.isEmpty else { return 0 }
        w.open("g", [("class", "ac-legend")])
        for (item, p) in zip(items, positions) {
            let x = left + p.x
            let cy = top + Double(p.row) * 18 + 8
            w.open("g", [("class", "ac-legend-item")])
            if p.cut { w.title(item.name) }
            switch item.swatch {
            case .fill(let fill):
                w.empty("rect", [("x", px(x)), ("y", px(cy - 6)), ("width", "16"), ("height", "12"), ("fill", fill), ("stroke", Palette.axis), ("stroke-width", "0.5")])
            case .line(let color, let dash, let marker):
                var attributes: [(String, String)] = [("x1", px(x)), ("y1", px(cy)), ("x2", px(x + 16)), ("y2", px(cy)), ("stroke", color), ("stroke-width", "2")]
                if !dash.isEmpty { attributes.append(("stroke-dasharray", dash)) }
                w.empty("line", attributes)
                LineStyle.draw(marker, x: x + 8, y: cy, r: 3, fill: "#FFFFFF", stroke: color, into: &w)
            }
            w.element("text", [("x", px(x + 22)), ("y", px(cy + 4))], text: p.text)
            w.close("g")
        }
        w.close("g")
        w.newline()
        return height
    }

    /// Notes under the plot (cut data, all zeros), small and muted, one per line from `y` up.
    mutating func notes(_ notes: [String]) {
        guard !notes.isEmpty else { return }
        w.open("g", [("class", "ac-note"), ("font-size", px(ChartStyle.smallSize)), ("fill", Palette.mutedText)])
        for (i, note) in notes.enumerated() {
            let y = height - ChartStyle.margin + 4 - Double(notes.count - 1 - i) * 13
            w.element("text", [("x", px(ChartStyle.margin)), ("y", px(y))], text: TextMetrics.fit(note, maxWidth: width - 2 * ChartStyle.margin, fontSize: ChartStyle.smallSize).text)
        }
        w.close("g")
        w.newline()
    }

    static func notesHeight(_ notes: [String]) -> Double { notes.isEmpty ? 0 : Double(notes.count) * 13 + 4 }

    /// The whole chart when there is nothing to draw: the title and a framed "No data".
    mutating func noData(_ message: String = "No data") {
        let x = ChartStyle.margin
        let y = top + 4
        let h = height - y - ChartStyle.margin
        w.empty("rect", [("class", "ac-empty-frame"), ("x", px(x)), ("y", px(y)), ("width", px(width - 2 * x)), ("height", px(h)),
                         ("fill", "none"), ("stroke", Palette.grid), ("stroke-dasharray", "4 4")])
        w.element("text", [("class", "ac-empty"), ("x", px(width / 2)), ("y", px(y + h / 2 + 5)), ("text-anchor", "middle"),
                           ("font-size", "14"), ("fill", Palette.mutedText)], text: message)
        w.newline()
    }

    /// A vertical value axis: tick labels on `side` of `x`, gridlines across `gridFrom…gridTo`
    /// (none when nil), the zero line darker.
    mutating func verticalValueAxis(_ scale: NiceScale, labels: [String], x: Double, top: Double, bottom: Double, left: Bool, grid: (Double, Double)?, title: String) {
        w.open("g", [("class", left ? "ac-axis ac-axis-y" : "ac-axis ac-axis-y2"), ("font-size", px(ChartStyle.smallSize))])
        for (t, label) in zip(scale.ticks, labels) {
            let y = scale.position(t, from: bottom, to: top)
            if let (g0, g1) = grid {
                w.empty("line", [("class", t == 0 ? "ac-zero" : "ac-grid"), ("x1", px(g0)), ("y1", px(y)), ("x2", px(g1)), ("y2", px(y)),
                                 ("stroke", t == 0 ? Palette.axis : Palette.grid), ("stroke-width", t == 0 ? "1" : "0.8")])
            }
            w.element("text", [("x", px(left ? x - 6 : x + 6)), ("y", px(y + 3.5)), ("text-anchor", left ? "end" : "start")], text: label)
        }
        w.empty("line", [("x1", px(x)), ("y1", px(top)), ("x2", px(x)), ("y2", px(bottom)), ("stroke", Palette.axis), ("stroke-width", "1")])
        if !title.isEmpty {
            w.element("text", [("class", "ac-axis-title"), ("x", px(x)), ("y", px(top - 8)), ("text-anchor", left ? "start" : "end"),
                               ("fill", Palette.mutedText)], text: title)
        }
        w.close("g")
        w.newline()
    }

    /// The widest of `labels` at the small size.
    static func labelsWidth(_ labels: [String]) -> Double {
        labels.map { TextMetrics.width($0, fontSize: ChartStyle.smallSize) }.max() ?? 0
    }

    /// The number of ticks a value axis along `length` units gets: a tick per ~`spacing` units,
    /// 2 to 8.
    static func tickCount(length: Double, spacing: Double) -> Int {
        guard length.isFinite, length > 0 else { return 2 }
        return min(8, max(2, Int(length / spacing) + 1))
    }
}

extension ValueFormat {
    /// A value in a few characters for a label on a bar or a donut's centre: exact below 10 000
    /// major units, else one decimal and a magnitude suffix, rounded half away from zero
    /// (`12.3k`, `1.2M`).
    public func short(_ value: Int128) -> String {
        let v = NiceScale.clamp(value)
        let unitSize = ChartNumber.power(fractionDigits)
        let major = v.magnitude / UInt128(unitSize)
        if !compact || major < 10_000 { return exact(v) }
        var g = 0
        var rest = major
        while g < NiceScale.suffixes.count - 1, rest >= 1000 {
            rest /= 1000
            g += 1
        }
        // Tenths of the suffix unit, rounded half away from zero.
        let divisor = UInt128(unitSize) * UInt128(ChartNumber.power(3 * g)) / 10
        var tenths = (v.magnitude + divisor / 2) / divisor
        if tenths >= 10_000, g < NiceScale.suffixes.count - 1 {  // 999.95k rounds to 1000.0k: 1.0M
            g += 1
            tenths = (tenths + 500) / 1000
        }
        var text = ChartNumber.fixed(Int128(tenths), decimals: 1)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return (v < 0 ? "-" : "") + text + NiceScale.suffixes[g] + suffix
    }
}
