/// A named series of a bar chart: one value per category (a stack segment when there are
/// several series). Values are fixed-point integers in the chart's `ValueFormat`.
public struct BarSeries: Sendable {
    public var name: String
    public var values: [Int128]
    /// The colour; nil takes the palette's colour for the series' position.
    public var color: ChartColor?

    public init(_ name: String, values: [Int128], color: ChartColor? = nil) {
        self.name = name
        self.values = values
        self.color = color
    }

    public init(_ name: String, values: [Int64], color: ChartColor? = nil) {
        self.init(name, values: values.map { Int128($0) }, color: color)
    }
}

/// Bars, vertical or horizontal, one per category; with several series the bars stack
/// (positive values up or right from zero, negative ones down or left, so a credit balance
/// shows below the line). In `percent` mode each bar is its category's share of its own total
/// magnitude, so categories in different units (aging per currency) share one axis; each
/// category then has its own `ValueFormat` for its tooltips and its total.
public struct BarChart: Sendable {
    public enum Orientation: Sendable { case vertical, horizontal }
    public enum Mode: Sendable { case absolute, percent }

    public var categories: [String]
    public var series: [BarSeries]
    public var format: ValueFormat
    /// Per category (percent mode): the unit of its values; missing ones use `format`.
    public var categoryFormats: [ValueFormat]
    public var orientation: Orientation
    public var mode: Mode
    /// Palette for series without a colour.
    public var palette: [ChartColor]
    /// With a single series: each bar its own colour and pattern (from `categoryColors`, else
    /// the palette), as a donut's slices would have.
    public var categoryColors: [ChartColor]?

    public init(categories: [String], series: [BarSeries], format: ValueFormat, orientation: Orientation = .vertical,
                mode: Mode = .absolute, categoryFormats: [ValueFormat] = [], palette: [ChartColor] = Palette.categorical) {
        self.categories = categories
        self.series = series
        self.format = format
        self.orientation = orientation
        self.mode = mode
        self.categoryFormats = categoryFormats
        self.palette = palette
        self.categoryColors = nil
    }

    /// The sum of every value's magnitude, for shares of the whole (a donut's fallback).
    var grandMagnitude: Int128? {
        let total = series.prefix(ChartLimits.seriesMax).reduce(Int128(0)) { acc, s in
            s.values.prefix(ChartLimits.categoriesMax).reduce(acc) { $0 + NiceScale.clamp($1).magnitudeInt }
        }
        return total > 0 ? total : nil
    }

    func categoryFormat(_ i: Int) -> ValueFormat { i < categoryFormats.count ? categoryFormats[i] : format }

    /// One drawn segment: its category and series, its value, and where it runs on the value
    /// axis (in the axis' units: the value, or basis points in percent mode).
    struct Segment {
        var category: Int
        var series: Int
        var paint: Int  // index of its colour and fill
        var value: Int128
        var from: Int128
        var to: Int128
        var permille: Int128  // share of the category's total magnitude
    }

    public func svg(_ options: ChartOptions) -> String {
        var notes: [String] = []
        let cats = Array(categories.prefix(ChartLimits.categoriesMax)).map(SVGText.label)
        if categories.count > cats.count { notes.append("Showing the first \(cats.count) of \(categories.count) categories.") }
        let ser = Array(series.prefix(ChartLimits.seriesMax))
        if series.count > ser.count { notes.append("Showing the first \(ser.count) of \(series.count) series.") }
        let names = ser.map { SVGText.label($0.name) }
        let byCategory = ser.count == 1 && categoryColors != nil
        let colors = byCategory
            ? cats.indices.map { i in i < categoryColors!.count ? categoryColors![i] : Palette.color(i, in: palette) }
            : ser.enumerated().map { $0.element.color ?? Palette.color($0.offset, in: palette) }

        // Totals and segments, in Int128 (clamped inputs: no overflow).
        var segments: [Segment] = []
        var netTotals: [Int128] = []
        var magnitudes: [Int128] = []
        var low: Int128 = 0
        var high: Int128 = 0
        for c in cats.indices {
            var net: Int128 = 0
            var magnitude: Int128 = 0
            for s in ser where c < s.values.count {
                let v = NiceScale.clamp(s.values[c])
                net += v
                magnitude += v < 0 ? -v : v
            }
            netTotals.append(net)
            magnitudes.append(magnitude)
            var up: Int128 = 0
            var down: Int128 = 0
            for (si, s) in ser.enumerated() where c < s.values.count {
                let v = NiceScale.clamp(s.values[c])
                guard v != 0 else { continue }
                let extent: Int128 = mode == .percent ? (magnitude == 0 ? 0 : (v * 10_000) / magnitude) : v
                let share = ChartNumber.permille(v < 0 ? -v : v, of: magnitude)
                if v > 0 {
                    segments.append(Segment(category: c, series: si, paint: byCategory ? c : si, value: v, from: up, to: up + extent, permille: share))
                    up += extent
                } else {
                    segments.append(Segment(category: c, series: si, paint: byCategory ? c : si, value: v, from: down, to: down + extent, permille: share))
                    down += extent
                }
            }
            high = max(high, up)
            low = min(low, down)
        }
        let axisFormat = mode == .percent ? ValueFormat.percentBasisPoints : format
        let hasData = !cats.isEmpty && !ser.isEmpty
        let allZero = hasData && segments.isEmpty
        if allZero { notes.append("All values are zero.") }

        let kind = orientation == .vertical ? "bar" : "hbar"
        var canvas = ChartCanvas(options, kind: kind, summary: summary(cats, names, netTotals, hasData: hasData))
        guard hasData else {
            canvas.noData()
            return canvas.finish()
        }
        let fills = canvas.patterns(colors)
        let stacked = ser.count > 1
        let legendItems = stacked ? zip(names, fills).map { LegendItem(name: $0, swatch: .fill($1)) } : []
        let width = canvas.width
        let height = canvas.height
        let m = ChartStyle.margin
        var top = canvas.top
        let legendHeight = canvas.legend(legendItems, x: m, y: top, width: width - 2 * m)
        if legendHeight > 0 { top += legendHeight + 6 }
        top += 14  // the axis title above the plot
        let bottomReserve = ChartCanvas.notesHeight(notes) + m

        // In percent mode the axis runs to 100 % at least; a span of one unit otherwise (all zeros).
        let spanMin: Int128 = mode == .percent ? 10_000 : ChartNumber.power(axisFormat.fractionDigits)
        if mode == .percent && high == 0 && low == 0 { high = 10_000 }

        if orientation == .vertical {
            drawVertical(&canvas, cats: cats, segments: segments, fills: fills, colors: colors, names: names, netTotals: netTotals,
                         magnitudes: magnitudes, low: low, high: high, spanMin: spanMin, axisFormat: axisFormat, top: top,
                         bottom: height - bottomReserve, stacked: stacked)
        } else {
            drawHorizontal(&canvas, cats: cats, segments: segments, fills: fills, colors: colors, names: names, netTotals: netTotals,
                           magnitudes: magnitudes, low: low, high: high, spanMin: spanMin, axisFormat: axisFormat, top: top,
                           bottom: height - bottomReserve, stacked: stacked)
        }
        canvas.notes(notes)
        return canvas.finish()
    }

    func axisTitle() -> String {
        if mode == .percent { return "% of each total" }
        return format.unit
    }

    func tooltip(_ s: Segment, cats: [String], names: [String], stacked: Bool) -> String {
        let f = categoryFormat(s.category)
        var t = cats[s.category]
        if stacked { t += ", " + names[s.series] }
        t += ": " + f.exactWithUnit(s.value)
        if stacked { t += " (" + ChartNumber.percentText(permille: s.permille) + ")" }
        if !stacked, categoryColors != nil, let whole = grandMagnitude {
            t += " (" + ChartNumber.percentText(permille: ChartNumber.permille(s.value, of: whole)) + " of the total)"
        }
        return t
    }

    /// The label inside a segment, if any: its share in percent mode, else its short value.
    func insideLabel(_ s: Segment) -> String {
        mode == .percent ? ChartNumber.percentText(permille: s.permille) : categoryFormat(s.category).short(s.value)
    }

    /// The label at the end of a bar: the net total (its own unit in percent mode).
    func totalLabel(_ c: Int, net: Int128) -> String {
        let f = categoryFormat(c)
        if mode == .percent { return f.unit.isEmpty ? f.short(net) : f.short(net) + " " + f.unit }
        return f.short(net)
    }

    func summary(_ cats: [String], _ names: [String], _ totals: [Int128], hasData: Bool) -> String {
        guard hasData else { return "No data." }
        var s = "\(orientation == .vertical ? "Bar" : "Horizontal bar") chart of \(cats.count) \(cats.count == 1 ? "category" : "categories")"
        if names.count > 1 { s += ", stacked by " + names.joined(separator: ", ") }
        s += ". Totals: "
        s += zip(cats, totals.indices).map { "\($0) \(categoryFormat($1).exactWithUnit(totals[$1]))" }.joined(separator: "; ")
        return s + "."
    }

    // MARK: vertical

    private func drawVertical(_ canvas: inout ChartCanvas, cats: [String], segments: [Segment], fills: [String], colors: [ChartColor],
                              names: [String], netTotals: [Int128], magnitudes: [Int128], low: Int128, high: Int128, spanMin: Int128,
                              axisFormat: ValueFormat, top: Double, bottom: Double, stacked: Bool) {
        let width = canvas.width
        let m = ChartStyle.margin
        let scale = NiceScale(low: low, high: high, tickCount: ChartCanvas.tickCount(length: bottom - top - 60, spacing: 45), spanMin: spanMin)
        let tickLabels = scale.labels(axisFormat)
        var left = m + ChartCanvas.labelsWidth(tickLabels) + 8
        let right = width - m
        let n = Double(cats.count)
        var band = (right - left) / n
        let barWidth = min(band * 0.72, 72)

        // Category labels: straight when they fit the band, else rotated 45° and cut to
        // `rotatedMax`; when even rotated ones would touch, every k-th label only.
        let font = ChartStyle.fontSize
        let widest = cats.map { TextMetrics.width($0, fontSize: font) }.max() ?? 0
        let straight = widest <= band - 4
        let rotatedMax = 120.0
        if !straight {
            // The first rotated label reaches left of its bar by its width × cos 45°: room for it.
            let overhang = TextMetrics.width(TextMetrics.fit(cats[0], maxWidth: rotatedMax, fontSize: font).text, fontSize: font) * 0.7071
            let needed = m + overhang - band / 2
            if needed > left {
                left = min(needed, width * 0.3)
                band = (right - left) / n
            }
        }
        var every = 1
        if !straight {
            let needed = font * 1.15 / 0.7071  // perpendicular gap between 45° baselines
            every = max(1, Int((needed / band).rounded(.up)))
        }
        let labelBlock: Double
        if straight {
            labelBlock = font + 8
        } else {
            labelBlock = min(widest, rotatedMax) * 0.7071 + font + 6
        }
        let plotBottom = bottom - labelBlock
        let plotTop = top
        let vscale = scale
        canvas.verticalValueAxis(vscale, labels: tickLabels, x: left, top: plotTop, bottom: plotBottom, left: true, grid: (left, right), title: axisTitle())

        var w = canvas.w
        w.open("g", [("class", "ac-bars")])
        for s in segments {
            let cx = left + band * (Double(s.category) + 0.5)
            let y0 = vscale.position(s.from, from: plotBottom, to: plotTop)
            let y1 = vscale.position(s.to, from: plotBottom, to: plotTop)
            let y = min(y0, y1)
            let h = max(abs(y1 - y0), 0.5)
            w.open("rect", [("class", "ac-bar ac-s\(s.paint)"), ("x", px(cx - barWidth / 2)), ("y", px(y)), ("width", px(barWidth)), ("height", px(h)),
                            ("fill", fills[s.paint]), ("stroke", "#FFFFFF"), ("stroke-width", stacked ? "1" : "0")])
            w.title(tooltip(s, cats: cats, names: names, stacked: stacked))
            w.close("rect")
            if stacked {
                let label = insideLabel(s)
                if h >= ChartStyle.smallSize + 3, TextMetrics.width(label, fontSize: ChartStyle.smallSize) <= barWidth - 4 {
                    w.element("text", [("class", "ac-value"), ("x", px(cx)), ("y", px(y + h / 2 + 3.5)), ("text-anchor", "middle"),
                                       ("font-size", px(ChartStyle.smallSize)), ("fill", colors[s.paint].ink),
                                       ("stroke", colors[s.paint].hex), ("stroke-width", "3"), ("paint-order", "stroke"), ("stroke-linejoin", "round")], text: label)
                }
            }
        }
        w.close("g")
        w.newline()
        // Totals above (or below, when negative) each bar, when they fit the band.
        w.open("g", [("class", "ac-totals"), ("font-size", px(ChartStyle.smallSize)), ("text-anchor", "middle")])
        for c in cats.indices where magnitudes[c] != 0 {
            let label = totalLabel(c, net: netTotals[c])
            guard TextMetrics.width(label, fontSize: ChartStyle.smallSize) <= band - 2 else { continue }
            let cx = left + band * (Double(c) + 0.5)
            let ups = segments.filter { $0.category == c && $0.value > 0 }.map(\.to).max() ?? 0
            let downs = segments.filter { $0.category == c && $0.value < 0 }.map(\.to).min() ?? 0
            var y = netTotals[c] >= 0 ? vscale.position(ups, from: plotBottom, to: plotTop) - 4 : vscale.position(downs, from: plotBottom, to: plotTop) + 12
            if y > plotBottom - 2 { y = vscale.position(0, from: plotBottom, to: plotTop) - 4 }  // no room under the bar: above the zero line
            w.element("text", [("x", px(cx)), ("y", px(y))], text: label)
        }
        w.close("g")
        w.newline()
        // The category axis.
        w.open("g", [("class", "ac-axis ac-axis-x")])
        w.empty("line", [("x1", px(left)), ("y1", px(plotBottom)), ("x2", px(right)), ("y2", px(plotBottom)), ("stroke", Palette.axis)])
        for (c, label) in cats.enumerated() {
            let cx = left + band * (Double(c) + 0.5)
            guard c % every == 0 else { continue }
            if straight {
                w.element("text", [("class", "ac-label"), ("x", px(cx)), ("y", px(plotBottom + font + 4)), ("text-anchor", "middle")], text: label)
            } else {
                let fitted = TextMetrics.fit(label, maxWidth: rotatedMax, fontSize: font)
                let y = plotBottom + 10
                w.open("text", [("class", "ac-label"), ("x", px(cx)), ("y", px(y)), ("text-anchor", "end"),
                                ("transform", "rotate(-45 \(px(cx)) \(px(y)))")])
                if fitted.cut { w.title(label) }
                w.content(fitted.text)
                w.close("text")
            }
        }
        w.close("g")
        w.newline()
        canvas.w = w
    }

    // MARK: horizontal

    private func drawHorizontal(_ canvas: inout ChartCanvas, cats: [String], segments: [Segment], fills: [String], colors: [ChartColor],
                                names: [String], netTotals: [Int128], magnitudes: [Int128], low: Int128, high: Int128, spanMin: Int128,
                                axisFormat: ValueFormat, top: Double, bottom: Double, stacked: Bool) {
        let width = canvas.width
        let m = ChartStyle.margin
        let font = ChartStyle.fontSize
        // Category labels on the left, cut to at most 35 % of the width.
        let labelMax = width * 0.35
        let fitted = cats.map { TextMetrics.fit($0, maxWidth: labelMax, fontSize: font) }
        let labelWidth = fitted.map { TextMetrics.width($0.text, fontSize: font) }.max() ?? 0
        let left = m + labelWidth + 8
        let plotBottom = bottom - (ChartStyle.smallSize + 8)
        let plotTop = top
        let n = Double(cats.count)
        let band = (plotBottom - plotTop) / n
        let barHeight = min(band * 0.72, 30)
        var every = 1
        if band < font + 2 { every = Int(((font + 2) / band).rounded(.up)) }

        // Room on the right for the totals: the widest one.
        let totals = cats.indices.map { totalLabel($0, net: netTotals[$0]) }
        let totalRoom = (totals.map { TextMetrics.width($0, fontSize: ChartStyle.smallSize) }.max() ?? 0) + 8
        let right = width - m - totalRoom
        // Value-axis ticks: as many as fit without their labels touching.
        var count = ChartCanvas.tickCount(length: right - left, spacing: 70)
        var scale = NiceScale(low: low, high: high, tickCount: count, spanMin: spanMin)
        var labels = scale.labels(axisFormat)
        while count > 2 {
            let spacing = (right - left) / Double(max(scale.ticks.count - 1, 1))
            if ChartCanvas.labelsWidth(labels) + 10 <= spacing { break }
            count -= 1
            scale = NiceScale(low: low, high: high, tickCount: count, spanMin: spanMin)
            labels = scale.labels(axisFormat)
        }

        var w = canvas.w
        w.open("g", [("class", "ac-axis ac-axis-x"), ("font-size", px(ChartStyle.smallSize))])
        for (t, label) in zip(scale.ticks, labels) {
            let x = scale.position(t, from: left, to: right)
            w.empty("line", [("class", t == 0 ? "ac-zero" : "ac-grid"), ("x1", px(x)), ("y1", px(plotTop)), ("x2", px(x)), ("y2", px(plotBottom)),
                             ("stroke", t == 0 ? Palette.axis : Palette.grid), ("stroke-width", t == 0 ? "1" : "0.8")])
            w.element("text", [("x", px(x)), ("y", px(plotBottom + ChartStyle.smallSize + 4)), ("text-anchor", "middle")], text: label)
        }
        let title = axisTitle()
        if !title.isEmpty {
            w.element("text", [("class", "ac-axis-title"), ("x", px(right)), ("y", px(plotTop - 8)), ("text-anchor", "end"), ("fill", Palette.mutedText)], text: title)
        }
        w.close("g")
        w.newline()

        w.open("g", [("class", "ac-bars")])
        for s in segments {
            let cy = plotTop + band * (Double(s.category) + 0.5)
            let x0 = scale.position(s.from, from: left, to: right)
            let x1 = scale.position(s.to, from: left, to: right)
            let x = min(x0, x1)
            let wd = max(abs(x1 - x0), 0.5)
            w.open("rect", [("class", "ac-bar ac-s\(s.paint)"), ("x", px(x)), ("y", px(cy - barHeight / 2)), ("width", px(wd)), ("height", px(barHeight)),
                            ("fill", fills[s.paint]), ("stroke", "#FFFFFF"), ("stroke-width", stacked ? "1" : "0")])
            w.title(tooltip(s, cats: cats, names: names, stacked: stacked))
            w.close("rect")
            if stacked {
                let label = insideLabel(s)
                if barHeight >= ChartStyle.smallSize + 3, TextMetrics.width(label, fontSize: ChartStyle.smallSize) <= wd - 6 {
                    w.element("text", [("class", "ac-value"), ("x", px(x + wd / 2)), ("y", px(cy + 3.5)), ("text-anchor", "middle"),
                                       ("font-size", px(ChartStyle.smallSize)), ("fill", colors[s.paint].ink),
                                       ("stroke", colors[s.paint].hex), ("stroke-width", "3"), ("paint-order", "stroke"), ("stroke-linejoin", "round")], text: label)
                }
            }
        }
        w.close("g")
        w.newline()

        w.open("g", [("class", "ac-totals"), ("font-size", px(ChartStyle.smallSize))])
        for c in cats.indices where magnitudes[c] != 0 && c % every == 0 {
            let cy = plotTop + band * (Double(c) + 0.5)
            let ups = segments.filter { $0.category == c && $0.value > 0 }.map(\.to).max() ?? 0
            let x = scale.position(ups, from: left, to: right) + 4
            w.element("text", [("x", px(max(x, scale.position(0, from: left, to: right) + 4))), ("y", px(cy + 3.5))], text: totals[c])
        }
        w.close("g")
        w.newline()

        w.open("g", [("class", "ac-axis ac-axis-cat")])
        w.empty("line", [("x1", px(left)), ("y1", px(plotTop)), ("x2", px(left)), ("y2", px(plotBottom)), ("stroke", Palette.axis)])
        for (c, f) in fitted.enumerated() where c % every == 0 {
            let cy = plotTop + band * (Double(c) + 0.5)
            w.open("text", [("class", "ac-label"), ("x", px(left - 6)), ("y", px(cy + 4)), ("text-anchor", "end")])
            if f.cut { w.title(cats[c]) }
            w.content(f.text)
            w.close("text")
        }
        w.close("g")
        w.newline()
        canvas.w = w
    }
}

extension Int128 {
    /// |v| as Int128 (v is clamped, so never Int128.min).
    var magnitudeInt: Int128 { self < 0 ? -self : self }
}
