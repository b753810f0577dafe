/// Colours and fills. Okabe & Ito's eight colours ("Color Universal Design", 2008) read apart
/// under the common colour-vision deficiencies; every series also gets its own fill pattern
/// (bars, slices) or dash and marker shape (lines), and every chart names its series in a legend
/// and in tooltips, so colour is never the only cue and a grey print still reads.
public struct ChartColor: Sendable, Equatable {
    /// `#RRGGBB`.
    public let hex: String
    /// The colour of pattern strokes and labels drawn on this colour: dark on light colours,
    /// white on dark ones (contrast either way).
    public let ink: String

    public init(hex: String, ink: String) {
        self.hex = hex
        self.ink = ink
    }
}

public enum Palette {
    public static let black = ChartColor(hex: "#000000", ink: "#FFFFFF")
    public static let orange = ChartColor(hex: "#E69F00", ink: "#000000")
    public static let skyBlue = ChartColor(hex: "#56B4E9", ink: "#000000")
    public static let bluishGreen = ChartColor(hex: "#009E73", ink: "#FFFFFF")
    public static let yellow = ChartColor(hex: "#F0E442", ink: "#000000")
    public static let blue = ChartColor(hex: "#0072B2", ink: "#FFFFFF")
    public static let vermillion = ChartColor(hex: "#D55E00", ink: "#FFFFFF")
    public static let reddishPurple = ChartColor(hex: "#CC79A7", ink: "#000000")

    /// Series without a meaning of their own, in this order (yellow late: thin yellow lines are
    /// faint on white paper).
    public static let categorical: [ChartColor] = [blue, orange, bluishGreen, vermillion, reddishPurple, skyBlue, yellow, black]

    /// Ordered buckets that get worse (aging: current, 1–30, 31–60, 61–90, over 90, ...).
    public static let ordinal: [ChartColor] = [bluishGreen, skyBlue, yellow, orange, vermillion, reddishPurple, blue, black]

    /// Credit grades A (best) to E.
    public static let grades: [ChartColor] = [bluishGreen, skyBlue, yellow, orange, vermillion]

    /// The i-th colour of `colors`, cycling.
    public static func color(_ i: Int, in colors: [ChartColor] = categorical) -> ChartColor {
        colors[((i % colors.count) + colors.count) % colors.count]
    }

    /// Text, axes and gridlines: near-black text, mid-grey axes, light grey grid.
    static let text = "#1A1A1A"
    static let mutedText = "#555555"
    static let axis = "#666666"
    static let grid = "#DDDDDD"
}

/// The fill pattern of series i (after the colour, the second cue). Solid first; then stripes,
/// dots and hatches drawn in the colour's ink over the colour.
public enum FillPattern: Int, Sendable, CaseIterable {
    case solid, diagonal, dots, crosshatch, horizontal, backDiagonal, vertical, grid

    public static func forSeries(_ i: Int) -> FillPattern { allCases[i % allCases.count] }

    /// Writes the `<pattern>` definition (nothing for `solid`).
    func define(id: String, color: ChartColor, into w: inout SVGWriter) {
        guard self != .solid else { return }
        let size = 6.0
        var attributes: [(String, String)] = [("id", id), ("patternUnits", "userSpaceOnUse"), ("width", px(size)), ("height", px(size))]
        switch self {
        case .diagonal: attributes.append(("patternTransform", "rotate(45)"))
        case .backDiagonal: attributes.append(("patternTransform", "rotate(-45)"))
        default: break
        }
        w.open("pattern", attributes)
        w.empty("rect", [("width", px(size)), ("height", px(size)), ("fill", color.hex)])
        let stroke: [(String, String)] = [("stroke", color.ink), ("stroke-opacity", "0.45"), ("stroke-width", "1.5")]
        switch self {
        case .solid: break
        case .diagonal, .backDiagonal, .vertical:
            w.empty("line", [("x1", "1.5"), ("y1", "0"), ("x2", "1.5"), ("y2", px(size))] + stroke)
        case .horizontal:
            w.empty("line", [("x1", "0"), ("y1", "1.5"), ("x2", px(size)), ("y2", "1.5")] + stroke)
        case .crosshatch, .grid:
            if self == .crosshatch {
                w.empty("path", [("d", "M0,0L6,6M6,0L0,6"), ("fill", "none")] + stroke)
            } else {
                w.empty("path", [("d", "M0,1.5H6M1.5,0V6"), ("fill", "none")] + stroke)
            }
        case .dots:
            w.empty("circle", [("cx", "3"), ("cy", "3"), ("r", "1.3"), ("fill", color.ink), ("fill-opacity", "0.5")])
        }
        w.close("pattern")
    }
}

/// The line style of series i: dash array and marker shape.
public enum LineStyle {
    public static let dashes = ["", "7 4", "2 3", "9 3 2 3"]

    public enum Marker: Int, Sendable, CaseIterable { case circle, square, triangle, diamond }

    public static func dash(_ i: Int) -> String { dashes[i % dashes.count] }
    public static func marker(_ i: Int) -> Marker { Marker.allCases[i % Marker.allCases.count] }

    /// A marker of size `r` (half-width) centred on (x, y).
    static func draw(_ marker: Marker, x: Double, y: Double, r: Double, fill: String, stroke: String, extra: [(String, String)] = [], into w: inout SVGWriter) {
        let paint: [(String, String)] = [("fill", fill), ("stroke", stroke), ("stroke-width", "1.5")] + extra
        switch marker {
        case .circle:
            w.empty("circle", [("cx", px(x)), ("cy", px(y)), ("r", px(r))] + paint)
        case .square:
            w.empty("rect", [("x", px(x - r * 0.9)), ("y", px(y - r * 0.9)), ("width", px(r * 1.8)), ("height", px(r * 1.8))] + paint)
        case .triangle:
            w.empty("path", [("d", "M\(px(x)),\(px(y - r * 1.15))L\(px(x + r * 1.1)),\(px(y + r * 0.8))L\(px(x - r * 1.1)),\(px(y + r * 0.8))Z")] + paint)
        case .diamond:
            w.empty("path", [("d", "M\(px(x)),\(px(y - r * 1.25))L\(px(x + r * 1.1)),\(px(y))L\(px(x)),\(px(y + r * 1.25))L\(px(x - r * 1.1)),\(px(y))Z")] + paint)
        }
    }
}
