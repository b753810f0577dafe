import ArlogDomain
import Benchmark

/// One hostile feed line for the "JSON object of N keys" benchmarks: an event whose object has
/// `keys` distinct members (`{"id":"e1","k1":1,…}`), about 14 bytes a key. Parsing it runs the
/// repeated-key check over every key; comparing two parses runs the duplicate check of a whole
/// event. Both are linear: 40k keys take about 4 × the time of 10k (a quadratic check would
/// take 16 ×, and 19 s for 100k keys before it was fixed).
enum JSONKeys {
    static func line(keys: Int) -> [UInt8] {
        var text = #"{"id":"e1""#
        for i in 1..<keys { text += ",\"k\(i)\":\(i)" }
        return Array((text + "}").utf8)
    }

    /// Tens of milliseconds per iteration at most: a few seconds each.
    static var configuration: Benchmark.Configuration {
        .init(
            metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
            timeUnits: .microseconds,
            warmupIterations: 1,
            maxDuration: .seconds(5),
            maxIterations: 200)
    }
}
