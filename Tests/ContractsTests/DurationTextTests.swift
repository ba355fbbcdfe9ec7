import Contracts
import Testing

@Suite("Durations as written")
struct DurationTextTests {
    @Test("units and combinations", arguments: [
        ("500ms", Int64(500)), ("10s", 10_000), ("2m", 120_000), ("1h", 3_600_000), ("1m30s", 90_000), (" 5s ", 5_000),
    ])
    func parses(text: String, expected: Int64) throws {
        #expect(try DurationText.milliseconds(text) == expected)
    }

    @Test("bad input names the text and the problem", arguments: ["", "10", "5x", "s", "-3s", "99999999999999999999s"])
    func refuses(text: String) {
        #expect(throws: DurationText.ParseError.self) { try DurationText.milliseconds(text) }
    }

    @Test("rendering reads back", arguments: [Int64(0), 1, 999, 1_000, 90_000, 3_723_004])
    func roundTrip(ms: Int64) throws {
        #expect(try DurationText.milliseconds(DurationText.render(milliseconds: ms)) == ms)
    }
}
