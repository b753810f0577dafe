/// Estimated text widths, for laying labels out without a font: a width per character in ems,
/// on the generous side (a label drawn narrower than estimated only leaves more room). East Asian
/// wide characters and emoji count one em, combining marks nothing.
public enum TextMetrics {
    public static func width(_ s: String, fontSize: Double) -> Double {
        var ems = 0.0
        for ch in s { ems += emWidth(ch) }
        return ems * fontSize
    }

    static func emWidth(_ ch: Character) -> Double {
        guard let first = ch.unicodeScalars.first else { return 0 }
        let v = first.value
        if v < 0x80 {
            switch ch {
            case "i", "j", "l", "I", "!", "|", ".", ",", ":", ";", "'", "`": return 0.3
            case " ", "(", ")", "[", "]", "f", "t", "r", "-": return 0.38
            case "m", "w", "M", "W", "@", "%": return 0.92
            case "A"..."Z": return 0.7
            default: return 0.58
            }
        }
        if isWide(v) { return 1.0 }
        if (0x0300...0x036F).contains(v) { return 0 }
        return 0.64
    }

    /// East Asian Wide and Fullwidth blocks, and the emoji planes.
    static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v)
            || (0x20000...0x3FFFD).contains(v)
    }

    /// `s` cut at a character boundary to fit `maxWidth`, with `…` when cut. The second value
    /// says whether it was cut (the caller then puts the whole label in a `<title>`).
    public static func fit(_ s: String, maxWidth: Double, fontSize: Double) -> (text: String, cut: Bool) {
        if width(s, fontSize: fontSize) <= maxWidth { return (s, false) }
        let budget = maxWidth - emWidth("…") * fontSize
        var out = ""
        var used = 0.0
        for ch in s {
            let w = emWidth(ch) * fontSize
            if used + w > budget { break }
            used += w
            out.append(ch)
        }
        while let last = out.last, last == " " { out.removeLast() }
        return (out + "…", true)
    }
}

/// Sine and cosine in pure Swift (no libm): reduced to an eighth of a turn and summed as
/// Taylor series, so a donut's coordinates are the same bytes on every platform.
enum Trig {
    /// (sin, cos) of `turns` × 2π.
    static func sinCos(turns: Double) -> (sin: Double, cos: Double) {
        guard turns.isFinite else { return (0, 1) }
        var t = turns - turns.rounded(.down)  // [0, 1)
        if t >= 1 { t = 0 }
        let quadrant = Int(t * 4)  // 0...3
        let a = (t * 4 - Double(quadrant)) * (Double.pi / 2)  // [0, π/2)
        let s = series(a, sine: true)
        let c = series(a, sine: false)
        switch quadrant {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }

    private static func series(_ a: Double, sine: Bool) -> Double {
        let a2 = a * a
        var term = sine ? a : 1.0
        var sum = term
        var k = sine ? 1.0 : 0.0
        for _ in 0..<12 {
            term *= -a2 / ((k + 1) * (k + 2))
            k += 2
            sum += term
        }
        return sum
    }
}
