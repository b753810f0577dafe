import ArlogDomain

/// One point of a line: where on the x axis (a category index, or a day number for a time
/// axis) and its value.
public struct LinePoint: Sendable, Equatable {
    public var x: Int
    public var value: Int128

    public init(x: Int, value: Int128) {
        self.x = x
        self.value = value
    }

    public init(day: Day, value: Int128) {
        self.init(x: Int(day.number), value: value)
    }
}

/// A line: its points in any order (drawn sorted by x), the value axis it reads against.
public struct LineSeries: Sendable {
    public enum Axis: Sendable { case left, right }

    public var name: String
    public var points: [LinePoint]
    public var axis: Axis
    public var color: ChartColor?

    public init(_ name: String, points: [LinePoint], axis: Axis = .left, color: ChartColor? = nil) {
        self.name = name
        self.points = points
        self.axis = axis
        self.color = color
    }
}

/// Something that happened at an x (a grade change): a dashed guide across the plot, a
/// marker at its top with a short label (`B→C`), and a ring on the first series' point there.
public struct ChartEvent: Sendable {
    public enum Direction: Sendable { case up, down, neutral }

    public var x: Int
    /// Shown above the plot; keep it short.
    public var label: String
    /// The tooltip: what happened, in full.
    public var detail: String
    /// Better (▲, green), worse (▼, vermillion), or neither (◆, grey).
    public var direction: Direction

    public init(x: Int, label: String, detail: String = "", direction: Direction = .neutral) {
        self.x = x
        self.label = label
        self.detail = detail
        self.direction = direction
    }

    public init(day: Day, label: String, detail: String = "", direction: Direction = .neutral) {
        self.init(x: Int(day.number), label: label, detail: detail, direction: direction)
    }
}

/// Lines over categories (month ends of a trend) or over time (a customer's score by day),
/// against one value axis on the left and optionally a second on the right (DSO in days beside
/// money), with event markers.
public struct LineChart: Sendable {
    public enum XAxis: Sendable {
        /// Points at the categories' centres; a point's x is the category index.
        case categories([AxisLabel])
        /// A time axis; a point's x is a day number (`Day.number`).
        case days
    }

    public var xAxis: XAxis
    public var series: [LineSeries]
    public var left: ValueFormat
    public var right: ValueFormat?
    public var events: [ChartEvent]
    /// Whether the value axes reach down (or up) to zero. True for amounts; false shows the
    /// movement of a figure far from zero (a score between 60 and 80).
    public var includeZero: Bool
    public var palette: [ChartColor]

    public init(xAxis: XAxis, series: [LineSeries], left: ValueFormat, right: ValueFormat? = nil, events: [ChartEvent] = [],
                includeZero: Bool = true, palette: [ChartColor] = Palette.categorical) {
        self.xAxis = xAxis
        self.series = series
        self.left = left
        self.right = right
        self.events = events
        self.includeZero = includeZero
        self.palette = palette
    }

    /// The points of a series that are drawn: sorted by x, those of a categories axis inside it,
    /// at most `ChartLimits.pointsMax` (the first ones).
    func drawnPoints(_ s: LineSeries) -> [LinePoint] {
        var pts = s.points
        if case .categories(let labels) = xAxis { pts = pts.filter { $0.x >= 0 && $0.x < labels.count } }
        pts.sort { $0.x < $1.x || ($0.x == $1.x && $0.value < $1.value) }
        return Array(pts.prefix(ChartLimits.pointsMax))
    }

    public func svg(_ options: ChartOptions) -> String {
        var notes: [String] = []
        let ser = Array(series.prefix(ChartLimits.seriesMax))
        if series.count > ser.count { notes.append("Showing the first \(ser.count) of \(series.count) series.") }
        let points = ser.map(drawnPoints)
        if zip(ser, points).contains(where: { $0.points.count > ChartLimits.pointsMax && $1.count == ChartLimits.pointsMax }) {
            notes.append("Showing the first \(ChartLimits.pointsMax) points of a series.")
        }
        let names = ser.map { SVGText.label($0.name) }
        let colors = ser.enumerated().map { $0.element.color ?? Palette.color($0.offset, in: palette) }
        let useRight = right != nil && ser.contains { $0.axis == .right }
        func axisOf(_ i: Int) -> LineSeries.Axis { useRight ? ser[i].axis : .left }
        var evs = Array(events.prefix(ChartLimits.eventsMax))
        if case .categories(let labels) = xAxis { evs = evs.filter { $0.x >= 0 && $0.x < labels.count } }
        if events.count > evs.count { notes.append("Showing the first \(evs.count) of \(events.count) events.") }

        let total = points.reduce(0) { $0 + $1.count }
        var canvas = ChartCanvas(options, kind: "line", summary: summary(names, points, axisOf, evs))
        guard total > 0 else {
            canvas.noData()
            canvas.notes(notes)
            return canvas.finish()
        }
        // Value ranges per axis.
        func range(_ axis: LineSeries.Axis) -> (Int128, Int128)? {
            let vs = points.indices.filter { axisOf($0) == axis }.flatMap { points[$0].map { NiceScale.clamp($0.value) } }
            guard var lo = vs.min(), var hi = vs.max() else { return nil }
            if includeZero {
                lo = min(lo, 0)
                hi = max(hi, 0)
            }
            if lo == hi && lo != 0 {
                // One value (or all equal) away from zero: centred on a span of two units.
                let unit = ChartNumber.power((axis == .right ? right ?? left : left).fractionDigits)
                lo -= unit
                hi += unit
            }
            return (lo, hi)
        }
        let leftRange = range(.left)
        let rightRange = useRight ? range(.right) : nil
        if points.allSatisfy({ $0.allSatisfy { $0.value == 0 } }) { notes.append("All values are zero.") }

        let m = ChartStyle.margin
        var top = canvas.top
        let legendItems = names.indices.map { i in
            LegendItem(name: names[i] + (useRight && axisOf(i) == .right ? " (right axis)" : ""),
                       swatch: .line(color: colors[i].hex, dash: LineStyle.dash(i), marker: LineStyle.marker(i)))
        }
        let legendH = canvas.legend(ser.count > 1 || useRight ? legendItems : [], x: m, y: top, width: canvas.width - 2 * m)
        if legendH > 0 { top += legendH + 6 }
        top += 14  // axis titles
        let eventLanes = evs.isEmpty ? 0 : 2
        let plotTop = top + Double(eventLanes) * 14
        let bottom = canvas.height - m - ChartCanvas.notesHeight(notes)
        let plotBottom = bottom - (ChartStyle.smallSize * 2 + 10)  // two-line x labels
        let ticks = ChartCanvas.tickCount(length: plotBottom - plotTop, spacing: 45)
        let leftScale = leftRange.map { NiceScale(low: $0.0, high: $0.1, tickCount: ticks, spanMin: ChartNumber.power(left.fractionDigits)) }
        let rightScale = rightRange.map { NiceScale(low: $0.0, high: $0.1, tickCount: ticks, spanMin: ChartNumber.power(right!.fractionDigits)) }
        let leftLabels = leftScale?.labels(left) ?? []
        let rightLabels = rightScale.map { $0.labels(right!) } ?? []
        let plotLeft = m + max(ChartCanvas.labelsWidth(leftLabels), 10) + 8
        let plotRight = canvas.width - m - (rightScale == nil ? 8 : ChartCanvas.labelsWidth(rightLabels) + 8)

        // The x axis.
        var xPos: (Int) -> Double
        var xTicks: [(x: Double, label: AxisLabel)] = []
        switch xAxis {
        case .categories(let labels):
            let band = (plotRight - plotLeft) / Double(max(labels.count, 1))
            xPos = { plotLeft + band * (Double($0) + 0.5) }
            // Every k-th label so that neighbours do not touch.
            let widest = labels.map { min(120, max(TextMetrics.width(SVGText.label($0.main), fontSize: ChartStyle.smallSize), TextMetrics.width(SVGText.label($0.sub ?? ""), fontSize: ChartStyle.smallSize))) }.max() ?? 0
            var every = 1
            while Double(every) * band < widest + 6 && every < labels.count { every += 1 }
            for (i, l) in labels.enumerated() where i % every == 0 { xTicks.append((xPos(i), l)) }
        case .days:
            let xs = points.flatMap { $0.map(\.x) } + evs.map(\.x)
            let first = Day(number: Int32(clamping: xs.min() ?? 0))
            let last = Day(number: Int32(clamping: xs.max() ?? 0))
            let fits = Int((plotRight - plotLeft) / 56)  // a label like `28 Feb` with room
            let scale = TimeScale(first: first, last: last, ticksMax: fits)
            // A little room at both ends so the first and last markers are whole.
            let inset = 6.0
            xPos = { scale.position(Day(number: Int32(clamping: $0)), from: plotLeft + inset, to: plotRight - inset) }
            for (d, l) in zip(scale.ticks, scale.labels) { xTicks.append((xPos(Int(d.number)), l)) }
        }

        var w = canvas.w
        if let s = leftScale {
            canvas.w = w
            canvas.verticalValueAxis(s, labels: leftLabels, x: plotLeft, top: plotTop, bottom: plotBottom, left: true, grid: (plotLeft, plotRight), title: left.unit)
            w = canvas.w
        }
        if let s = rightScale, let f = right {
            canvas.w = w
            canvas.verticalValueAxis(s, labels: rightLabels, x: plotRight, top: plotTop, bottom: plotBottom, left: false, grid: nil, title: f.unit)
            w = canvas.w
        }
        w.open("g", [("class", "ac-axis ac-axis-x"), ("font-size", px(ChartStyle.smallSize))])
        w.empty("line", [("x1", px(plotLeft)), ("y1", px(plotBottom)), ("x2", px(plotRight)), ("y2", px(plotBottom)), ("stroke", Palette.axis)])
        for t in xTicks {
            w.empty("line", [("x1", px(t.x)), ("y1", px(plotBottom)), ("x2", px(t.x)), ("y2", px(plotBottom + 4)), ("stroke", Palette.axis)])
            let main = SVGText.label(t.label.main)
            let fitted = TextMetrics.fit(main, maxWidth: 120, fontSize: ChartStyle.smallSize)
            w.open("text", [("class", "ac-label"), ("x", px(t.x)), ("y", px(plotBottom + ChartStyle.smallSize + 5)), ("text-anchor", "middle")])
            if fitted.cut { w.title(main) }
            w.content(fitted.text)
            w.close("text")
            if let sub = t.label.sub {
                w.element("text", [("class", "ac-label ac-label-sub"), ("x", px(t.x)), ("y", px(plotBottom + 2 * ChartStyle.smallSize + 7)), ("text-anchor", "middle"), ("fill", Palette.mutedText)], text: SVGText.label(sub))
            }
        }
        w.close("g")
        w.newline()

        // Events: guides first (under the lines), markers and labels after.
        let eventColor: (ChartEvent.Direction) -> String = {
            switch $0 {
            case .up: return Palette.bluishGreen.hex
            case .down: return Palette.vermillion.hex
            case .neutral: return Palette.axis
            }
        }
        if !evs.isEmpty {
            w.open("g", [("class", "ac-events")])
            for e in evs {
                let x = xPos(e.x)
                w.empty("line", [("class", "ac-event-guide"), ("x1", px(x)), ("y1", px(top + 4)), ("x2", px(x)), ("y2", px(plotBottom)),
                                 ("stroke", eventColor(e.direction)), ("stroke-dasharray", "3 3"), ("stroke-width", "1")])
            }
            w.close("g")
            w.newline()
        }

        // The lines and their points.
        w.open("g", [("class", "ac-lines")])
        for (i, pts) in points.enumerated() where !pts.isEmpty {
            guard let scale = axisOf(i) == .right ? rightScale : leftScale else { continue }
            let f = axisOf(i) == .right ? right! : left
            let coords = pts.map { (xPos($0.x), scale.position($0.value, from: plotBottom, to: plotTop)) }
            w.open("g", [("class", "ac-series ac-s\(i)")])
            w.title(names[i])
            if coords.count > 1 {
                var d = ""
                for (k, c) in coords.enumerated() { d += (k == 0 ? "M" : "L") + px(c.0) + "," + px(c.1) }
                var attributes: [(String, String)] = [("class", "ac-line"), ("d", d), ("fill", "none"), ("stroke", colors[i].hex), ("stroke-width", "2"), ("stroke-linejoin", "round")]
                if !LineStyle.dash(i).isEmpty { attributes.append(("stroke-dasharray", LineStyle.dash(i))) }
                w.empty("path", attributes)
            }
            // Markers on every point when they do not crowd (at least 8 units apart), else on the last.
            let spacing = coords.count > 1 ? (coords.last!.0 - coords.first!.0) / Double(coords.count - 1) : 100
            let marked = spacing >= 8 ? Array(coords.indices) : [coords.count - 1]
            for k in marked {
                w.open("g", [("class", "ac-point")])
                w.title("\(names[i]), \(xText(pts[k].x)): \(f.exactWithUnit(pts[k].value))")
                LineStyle.draw(LineStyle.marker(i), x: coords[k].0, y: coords[k].1, r: 3.5, fill: "#FFFFFF", stroke: colors[i].hex, into: &w)
                w.close("g")
            }
            w.close("g")
        }
        w.close("g")
        w.newline()

        if !evs.isEmpty {
            w.open("g", [("class", "ac-events"), ("font-size", px(ChartStyle.smallSize))])
            var laneEnds = [Double](repeating: -.infinity, count: eventLanes)
            for e in evs {
                let x = xPos(e.x)
                let color = eventColor(e.direction)
                let label = TextMetrics.fit(SVGText.label(e.label), maxWidth: 80, fontSize: ChartStyle.smallSize).text
                let labelWidth = TextMetrics.width(label, fontSize: ChartStyle.smallSize) + 12
                w.open("g", [("class", "ac-event")])
                w.title(SVGText.label(e.detail.isEmpty ? e.label : e.detail) + " (" + xText(e.x) + ")")
                // The ring on the first series' point at this x.
                if let i = points.indices.first(where: { points[$0].contains { $0.x == e.x } }),
                   let scale = axisOf(i) == .right ? rightScale : leftScale,
                   let p = points[i].last(where: { $0.x == e.x }) {
                    w.empty("circle", [("class", "ac-event-ring"), ("cx", px(x)), ("cy", px(scale.position(p.value, from: plotBottom, to: plotTop))), ("r", "7"),
                                       ("fill", "none"), ("stroke", color), ("stroke-width", "2")])
                }
                // The first lane with room; when none has, the marker without its label.
                let lane = laneEnds.firstIndex { $0 <= x - 2 }
                let y = top + 2 + Double(lane ?? 0) * 14 + 5
                let shape: LineStyle.Marker = e.direction == .neutral ? .diamond : .triangle
                if e.direction == .down {
                    w.empty("path", [("d", "M\(px(x - 4.5)),\(px(y - 4))L\(px(x + 4.5)),\(px(y - 4))L\(px(x)),\(px(y + 4))Z"), ("fill", color)])
                } else {
                    LineStyle.draw(shape, x: x, y: y, r: 4, fill: color, stroke: color, into: &w)
                }
                if let lane {
                    // Right of the marker, or left of it near the right edge.
                    let flip = x + labelWidth > canvas.width - 4
                    w.element("text", [("class", "ac-event-label"), ("x", px(flip ? x - 7 : x + 7)), ("y", px(y + 3.5)),
                                       ("text-anchor", flip ? "end" : "start"), ("fill", Palette.text)], text: label)
                    laneEnds[lane] = flip ? x + 6 : x + labelWidth
                }
                w.close("g")
            }
            w.close("g")
            w.newline()
        }
        canvas.w = w
        canvas.notes(notes)
        return canvas.finish()
    }

    /// The x of a point in words: its category's label, or its date.
    func xText(_ x: Int) -> String {
        switch xAxis {
        case .categories(let labels):
            guard x >= 0 && x < labels.count else { return String(x) }
            // The label's second line, or the latest one before it (the year of a month).
            let sub = labels[...x].reversed().lazy.compactMap(\.sub).first
            return SVGText.label(labels[x].main + (sub.map { " " + $0 } ?? ""))
        case .days:
            return Day(number: Int32(clamping: x)).description
        }
    }

    func summary(_ names: [String], _ points: [[LinePoint]], _ axisOf: (Int) -> LineSeries.Axis, _ events: [ChartEvent]) -> String {
        guard points.contains(where: { !$0.isEmpty }) else { return "No data." }
        var parts: [String] = []
        for (i, pts) in points.enumerated() where !pts.isEmpty {
            let f = axisOf(i) == .right ? (right ?? left) : left
            let first = pts.first!
            let last = pts.last!
            let lo = pts.map(\.value).min()!
            let hi = pts.map(\.value).max()!
            parts.append("\(names[i]): \(pts.count) points from \(f.exactWithUnit(first.value)) (\(xText(first.x))) to \(f.exactWithUnit(last.value)) (\(xText(last.x))), lowest \(f.exactWithUnit(lo)), highest \(f.exactWithUnit(hi))")
        }
        var s = "Line chart. " + parts.joined(separator: "; ") + "."
        if !events.isEmpty {
            s += " Events: " + events.map { "\(SVGText.label($0.label)) (\(xText($0.x)))" }.joined(separator: "; ") + "."
        }
        return s
    }
}
