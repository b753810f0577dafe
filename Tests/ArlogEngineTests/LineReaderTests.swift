import ArlogDomain
import Foundation
import Testing

@testable import ArlogEngine

/// The line reader's handling of a UTF-8 byte-order mark and of a line exactly at the length
/// limit followed by `\r\n` (docs/feed.md, "Lines").
struct LineReaderTests {
    /// Reads every line of `bytes` through a file, as ingest does.
    static func lines(_ bytes: [UInt8]) throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("arlog-lines-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        var reader = LineReader(fd: fd, name: path)
        var out: [String] = []
        while let line = try reader.next() {
            if case .text(let number, let range) = line {
                out.append("\(number):" + String(decoding: reader.buffer[range], as: UTF8.self))
            } else if case .tooLong(let number, _) = line {
                out.append("\(number):too long")
            }
        }
        return out
    }

    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    @Test func byteOrderMarkStartingALineIsDropped() throws {
        let text = Self.bom + Array("{\"a\":1}\r\n".utf8) + Self.bom + Array("{\"b\":2}\n".utf8)
            + Self.bom + Array("\r\n  ".utf8) + Self.bom + Array("{\"c\":3}\n".utf8) + Self.bom + Array("{\"d\":4}".utf8)
        #expect(try Self.lines(text) == ["1:{\"a\":1}", "2:{\"b\":2}", "4:  \u{FEFF}{\"c\":3}", "5:{\"d\":4}"])
    }

    /// A line of exactly `lineBytesMax` bytes ending in `\r\n` is read whole, even when the
    /// first read stops between its `\r` and its `\n` (here: the reader's first read is
    /// `chunkBytes + lineBytesMax` bytes, and the `\r` is the last of them).
    @Test func lineAtTheLimitWithCRLFSplitByARead() throws {
        let firstRead = LineReader.chunkBytes + FeedLimits.lineBytesMax
        let filler = [UInt8](repeating: 0x20, count: firstRead - FeedLimits.lineBytesMax - 2) + [0x0A]
        var line = [UInt8](repeating: UInt8(ascii: "x"), count: FeedLimits.lineBytesMax)
        line[0] = UInt8(ascii: "{")
        let text = filler + line + [0x0D, 0x0A] + Array("{}\n".utf8)
        #expect(filler.count + line.count + 1 == firstRead)
        let got = try Self.lines(text).map { $0.count > 40 ? String($0.prefix(3)) + "…\($0.count)" : $0 }
        #expect(got == ["2:{…\(FeedLimits.lineBytesMax + 2)", "3:{}"])
        // One byte more is too long, with either line end, and at the end of the input.
        let over = line + [UInt8(ascii: "x")]
        #expect(try Self.lines(over + [0x0D, 0x0A] + Array("{}".utf8)) == ["1:too long", "2:{}"])
        #expect(try Self.lines(over + [0x0A, 0x0D]) == ["1:too long"])
        #expect(try Self.lines(over) == ["1:too long"])
    }
}
