/// A slice of a donut.
public struct DonutSlice: Sendable {
    public var name: String
    public var value: Int128
    public var color: ChartColor?

    public init(_ name: String, value: Int128, color: ChartColor? = nil) {
        self.name = name
        self.value = value
        self.color = color
    }
}

/// Parts of a whole (the grade mix): a ring of slices clockwise from twelve o'clock, the total
/// in the centre, and a legend beside it with each slice's value and share.
///
/// It falls back to horizontal bars (same title, same legend facts) when a donut would mislead
/// or hide something: a negative value (no slice for it), more than `slicesMax` slices, or a
/// slice under `sliceShareMinPermille` of the total (too thin to see or to point at).
public struct DonutChart: Sendable {
    public var slices: [DonutSlice]
    public var format: ValueFormat
    /// Under the total in the centre: what it counts (`customers`).
    public var caption: String
    public var palette: [ChartColor]

    /// The most slices a donut shows; more read better as bars.
    public static let slicesMax = 8
    /// The smallest share of a non-zero slice, in tenths of a percent: 2 % is 7.2°.
    public static let sliceShareMinPermille: Int128 = 20

    public init(slices: [DonutSlice], format: ValueFormat, caption: String = "", palette: [ChartColor] = Palette.categorical) {
        self.slices = slices
        self.format = format
        self.caption = caption
        self.palette = palette
    }

    /// Whether this data is drawn as a donut (else as bars).
    public var drawsDonut: Bool {
        let values = slices.map { NiceScale.clamp($0.value) }
        guard values.count <= DonutChart.slicesMax, values.allSatisfy({ $0 >= 0 }) else { return false }
        let total = values.reduce(0, +)
        guard total > 0 else { return true }  // all zeros: an empty ring
        return values.allSatisfy { $0 == 0 || ChartNumber.permille($0, of: total) >= DonutChart.sliceShareMinPermille }
    }

    /// The bar chart drawn instead of a donut.
    public var fallback: BarChart {
        let colors = slices.enumerated().map { $0.element.color ?? Palette.color($0.offset, in: palette) }
        var chart = BarChart(categories: slices.map(\.name), series: [BarSeries(format.unit, values: slices.map(\.value))],
                             format: format, orientation: .horizontal)
        chart.categoryColors = colors
        return chart
    }

    public func svg(_ options: ChartOptions) -> String {
        guard drawsDonut else { return fallback.svg(options) }
        let names = slices.map { SVGText.label($0.name) }
        let values = slices.map { NiceScale.clamp($0.value) }
        let total = values.reduce(0, +)
        let colors = slices.enumerated().map { $0.element.color ?? Palette.color($0.offset, in: palette) }
        var canvas = ChartCanvas(options, kind: "donut", summary: summary(names, values, total))
        guard !slices.isEmpty else {
            canvas.noData()
            return canvas.finish()
        }
        let notes = total == 0 ? ["All values are zero."] : []
        let fills = canvas.patterns(colors)
        let m = ChartStyle.margin
        let top = canvas.top + 4
        let bottom = canvas.height - m - ChartCanvas.notesHeight(notes)
        // The ring and the legend table beside it, centred together: swatch, name, value, share.
        let font = ChartStyle.fontSize
        let nameMax = min(canvas.width * 0.3, 200)
        let fittedNames = names.map { TextMetrics.fit($0, maxWidth: nameMax, fontSize: font) }
        let nameWidth = fittedNames.map { TextMetrics.width($0.text, fontSize: font) }.max() ?? 0
        let valueTexts = values.map(format.short)
        let valueWidth = valueTexts.map { TextMetrics.width($0, fontSize: font) }.max() ?? 0
        let shareWidth = TextMetrics.width("100.0%", fontSize: font)
        let legendWidth = 22 + nameWidth + 16 + valueWidth + 12 + shareWidth
        let gap = 36.0
        let outer = max(min((canvas.width - 2 * m - legendWidth - gap) / 2, (bottom - top) / 2 - 4), 20)
        let inner = outer * 0.58
        let groupWidth = 2 * outer + gap + legendWidth
        let cx = max(m, (canvas.width - groupWidth) / 2) + outer
        let cy = (top + bottom) / 2
        let lx = cx + outer + gap
        var w = canvas.w
        w.open("g", [("class", "ac-slices")])
        if total == 0 {
            w.empty("circle", [("class", "ac-ring-empty"), ("cx", px(cx)), ("cy", px(cy)), ("r", px((outer + inner) / 2)),
                               ("fill", "none"), ("stroke", Palette.grid), ("stroke-width", px(outer - inner))])
        } else {
            var cumulative: Int128 = 0
            for (i, v) in values.enumerated() where v > 0 {
                let a0 = Double(cumulative) / Double(total)
                cumulative += v
                let a1 = cumulative == total ? 1.0 : Double(cumulative) / Double(total)
                w.open("path", [("class", "ac-slice ac-s\(i)"), ("d", DonutChart.ringPath(cx: cx, cy: cy, outer: outer, inner: inner, from: a0, to: a1)),
                                ("fill", fills[i]), ("stroke", "#FFFFFF"), ("stroke-width", "1.5")])
                w.title("\(names[i]): \(format.exactWithUnit(v)) (\(ChartNumber.percentText(permille: ChartNumber.permille(v, of: total))))")
                w.close("path")
            }
        }
        w.close("g")
        w.newline()
        // The total in the centre.
        let totalText = format.short(total)
        let totalSize = min(22, max(12, inner * 2 * 0.8 / max(TextMetrics.width(totalText, fontSize: 1), 1)))
        w.open("g", [("class", "ac-centre"), ("text-anchor", "middle")])
        w.element("text", [("x", px(cx)), ("y", px(cy + (caption.isEmpty ? totalSize * 0.35 : 0))), ("font-size", px(totalSize)), ("font-weight", "600")], text: totalText)
        if !caption.isEmpty {
            let c = TextMetrics.fit(SVGText.label(caption), maxWidth: inner * 1.7, fontSize: ChartStyle.smallSize).text
            w.element("text", [("x", px(cx)), ("y", px(cy + ChartStyle.smallSize + 4)), ("font-size", px(ChartStyle.smallSize)), ("fill", Palette.mutedText)], text: c)
        }
        w.close("g")
        w.newline()
        // The legend: one row per slice.
        let rowHeight = min(22, max(14, (bottom - top) / Double(max(slices.count, 1))))
        let rowsTop = cy - rowHeight * Double(slices.count) / 2
        let valueRight = lx + 22 + nameWidth + 16 + valueWidth
        let shareRight = valueRight + 12 + shareWidth
        w.open("g", [("class", "ac-legend")])
        for i in slices.indices {
            let y = rowsTop + rowHeight * (Double(i) + 0.5)
            let fitted = fittedNames[i]
            w.open("g", [("class", "ac-legend-item")])
            w.title("\(names[i]): \(format.exactWithUnit(values[i]))")
            w.empty("rect", [("x", px(lx)), ("y", px(y - 6)), ("width", "16"), ("height", "12"), ("fill", fills[i]), ("stroke", Palette.axis), ("stroke-width", "0.5")])
            w.element("text", [("x", px(lx + 22)), ("y", px(y + 4))], text: fitted.text)
            w.element("text", [("class", "ac-value"), ("x", px(valueRight)), ("y", px(y + 4)), ("text-anchor", "end")], text: valueTexts[i])
            let share = total == 0 ? "–" : ChartNumber.percentText(permille: ChartNumber.permille(values[i], of: total))
            w.element("text", [("class", "ac-share"), ("x", px(shareRight)), ("y", px(y + 4)), ("text-anchor", "end"), ("fill", Palette.mutedText)], text: share)
            w.close("g")
        }
        w.close("g")
        w.newline()
        canvas.w = w
        canvas.notes(notes)
        return canvas.finish()
    }

    func summary(_ names: [String], _ values: [Int128], _ total: Int128) -> String {
        guard !names.isEmpty else { return "No data." }
        var s = "Donut chart, total \(format.exactWithUnit(total)): "
        s += zip(names, values).map { name, v in
            "\(name) \(format.exactWithUnit(v))" + (total > 0 ? " (\(ChartNumber.percentText(permille: ChartNumber.permille(v, of: total))))" : "")
        }.joined(separator: "; ")
        return s + "."
    }

    /// The outline of a ring sector from `from` to `to` (fractions of a turn, clockwise from
    /// twelve o'clock): the outer arc, the inner arc back. Arcs are cut into pieces of at most a
    /// quarter turn, so a whole ring (one slice of 100 %) draws too.
    static func ringPath(cx: Double, cy: Double, outer: Double, inner: Double, from: Double, to: Double) -> String {
        func point(_ r: Double, _ t: Double) -> String {
            let (s, c) = Trig.sinCos(turns: t)
            return "\(px(cx + r * s)),\(px(cy - r * c))"
        }
        let pieces = max(1, Int(((to - from) * 4).rounded(.up)))
        var stops: [Double] = []
        for k in 0...pieces { stops.append(from + (to - from) * Double(k) / Double(pieces)) }
        var d = "M" + point(outer, from)
        for t in stops.dropFirst() { d += "A\(px(outer)),\(px(outer)) 0 0 1 " + point(outer, t) }
        d += "L" + point(inner, to)
        for t in stops.reversed().dropFirst() { d += "A\(px(inner)),\(px(inner)) 0 0 0 " + point(inner, t) }
        return d + "Z"
    }
}
