import Contracts
import Foundation
import GroundTruth
import Testing

/// Epoch milliseconds of a UTC civil time, computed with Foundation's calendar as an independent reference.
private func utcMilliseconds(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) throws -> Int64 {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
    let date = try #require(calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)))
    return Int64((date.timeIntervalSince1970 * 1000).rounded())
}

@Suite("Alert readers")
struct AlertReaderTests {
    // MARK: JSON Lines

    @Test func jsonLinesReadsRecordsWithOptionalFields() throws {
        let text = """
            {"window_start":10000,"window_end":20000,"user_id":"user_1","crash_count":3,"emitted_at":25000,"batch":2}\r

            {"user_id":"user_2","window_end":20000,"window_start":10000,"crash_count":4,"emitted_at":null,"detector":"x"}
            """
        let alerts = try AlertReader.jsonLines(text, source: "a.jsonl").alerts
        #expect(alerts.count == 2)
        #expect(alerts[0] == ObservedAlert(windowStart: 10_000, windowEnd: 20_000, userId: "user_1", count: 3, emittedAt: 25_000, batch: 2, line: 1))
        #expect(alerts[1].emittedAt == nil && alerts[1].batch == nil && alerts[1].line == 3)
    }

    @Test(arguments: [
        (#"{"window_start":1,"window_end":2,"user_id":"u","crash_count":3"#, "invalid JSON at column"),
        (#"{"window_start":1,"window_end":2,"user_id":"u"}"#, "missing crash_count"),
        (#"{"window_start":1.5,"window_end":2,"user_id":"u","crash_count":3}"#, "window_start must be an integer"),
        (#"{"window_start":1,"window_end":2,"user_id":7,"crash_count":3}"#, "user_id must be a string"),
        (#"{"window_start":1,"window_end":2,"user_id":"u","crash_count":-1}"#, "crash_count is negative"),
    ])
    func jsonLinesErrorsNameSourceLineAndReason(line: String, reason: String) {
        let text = #"{"window_start":1,"window_end":2,"user_id":"u","crash_count":3}"# + "\n" + line
        do {
            _ = try AlertReader.jsonLines(text, source: "alerts.jsonl")
            Issue.record("accepted a bad line")
        } catch {
            #expect(error.source == "alerts.jsonl")
            #expect(error.line == 2)
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(error.description.hasPrefix("alerts.jsonl:2: "))
        }
    }

    // MARK: CSV

    @Test func csvReadsColumnsByHeaderWithOptionalOnes() throws {
        let text = #"""
            user_id,crash_count,window_start,window_end,batch
            "user_1",3,10000,20000,
            "user ""x""",4,10000,20000,7
            """#
        let alerts = try AlertReader.csv(text, source: "a.csv").alerts
        #expect(alerts.count == 2)
        #expect(alerts[0].userId == "user_1" && alerts[0].batch == nil && alerts[0].emittedAt == nil && alerts[0].count == 3)
        #expect(alerts[1].userId == "user \"x\"" && alerts[1].batch == 7 && alerts[1].line == 3)
    }

    @Test(arguments: [
        ("window_start,window_end,user_id\n", 1, "no crash_count column"),
        ("window_start,window_end,user_id,crash_count\n1,2,u,three", 2, "crash_count 'three' is not an integer"),
        ("window_start,window_end,user_id,crash_count\n1,2,u", 2, "expected 4 fields"),
        ("window_start,window_end,user_id,crash_count\n1,2,\"u,3", 2, "quoted field is not closed"),
    ])
    func csvErrorsNameTheLine(text: String, line: Int, reason: String) {
        do {
            _ = try AlertReader.csv(text, source: "alerts.csv")
            Issue.record("accepted bad CSV")
        } catch {
            #expect(error.line == line)
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }

    // MARK: Spark console

    @Test func sparkConsoleReadsTheSharedSample() throws {
        let observed = try AlertReader.sparkConsole(sparkConsoleSample, source: "console.txt")
        #expect(observed.alerts.count == 8)
        #expect(observed.partialBatches == [1])
        let first = observed.alerts[0]
        #expect(first.batch == 1 && first.userId == "user_1361" && first.count == 3 && first.emittedAt == nil)
        #expect(first.windowStart == (try utcMilliseconds(2026, 1, 20, 13, 53, 0)))
        #expect(first.windowEnd == (try utcMilliseconds(2026, 1, 20, 13, 53, 10)))
        let again = observed.alerts.filter { $0.userId == "user_1411" }
        #expect(again.map(\.count) == [3, 5])
        #expect(again.map(\.batch) == [1, 2])
    }

    @Test func sparkConsoleTimesFollowTheSessionOffset() throws {
        let utc = try AlertReader.sparkConsole(sparkConsoleSample, source: "c")
        let paris = try AlertReader.sparkConsole(sparkConsoleSample, source: "c", timeZone: .fixed(name: "+01:00", offsetSeconds: 3_600))
        #expect(utc.alerts[0].windowStart - paris.alerts[0].windowStart == 3_600_000)
    }

    /// One console table row per printed window start, read in `zone`; the window starts read.
    func windowStarts(printed starts: [String], in zone: ConsoleTimeZone) throws -> [Int64] {
        let rows = starts.enumerated().map { index, start in "|{\(start), \(start)}|user_\(index)|3|" }
        let text = (["Batch: 1", "+-+-+-+", "|window|user_id|count|", "+-+-+-+"] + rows + ["+-+-+-+"]).joined(separator: "\n")
        return try AlertReader.sparkConsole(text, source: "c", timeZone: zone).alerts.map(\.windowStart)
    }

    @Test func sparkConsoleTimesFollowANamedZoneAcrossDaylightSavingChanges() throws {
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        let zone = ConsoleTimeZone(name: "Europe/Paris") { paris.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0))) }
        // Clocks went forward at 01:00 UTC on 2026-03-29 (02:00 local became 03:00) and back at 01:00 UTC on
        // 2026-10-25 (03:00 local became 02:00, so 02:00 to 03:00 local came twice).
        let spring = try windowStarts(printed: ["2026-03-29 01:59:50", "2026-03-29 03:00:00"], in: zone)
        #expect(spring == [try utcMilliseconds(2026, 3, 29, 0, 59, 50), try utcMilliseconds(2026, 3, 29, 1, 0, 0)])
        let autumn = try windowStarts(printed: ["2026-10-25 01:59:50", "2026-10-25 02:30:00", "2026-10-25 03:00:00"], in: zone)
        #expect(
            autumn == [
                try utcMilliseconds(2026, 10, 24, 23, 59, 50), try utcMilliseconds(2026, 10, 25, 0, 30, 0),
                try utcMilliseconds(2026, 10, 25, 2, 0, 0),
            ])
        // Winter and summer in one file: each read in its own offset.
        let seasons = try windowStarts(printed: ["2026-01-20 13:53:00", "2026-07-20 13:53:00"], in: zone)
        #expect(seasons == [try utcMilliseconds(2026, 1, 20, 12, 53, 0), try utcMilliseconds(2026, 7, 20, 11, 53, 0)])
    }

    @Test func sparkConsoleReadsYearsOfTheSecondsBug() throws {
        let text = """
            Batch: 4
            +------------------------------------------------+---------+-----------+
            |window                                          |user_id  |count      |
            +------------------------------------------------+---------+-----------+
            |{+58024-10-01 20:59:10, +58024-10-01 20:59:20}|user_1002|3          |
            +------------------------------------------------+---------+-----------+
            """
        let alert = try #require(try AlertReader.sparkConsole(text, source: "c").alerts.first)
        #expect(alert.windowStart == (try utcMilliseconds(58024, 10, 1, 20, 59, 10)))
        #expect(alert.windowEnd - alert.windowStart == 10_000)
    }

    @Test func sparkConsoleRefusesTruncatedCells() {
        let text = """
            Batch: 1
            +--------------------+---------+-----------+
            |              window|  user_id|crash_count|
            +--------------------+---------+-----------+
            |{2026-01-20 13:5...|user_1361|          3|
            +--------------------+---------+-----------+
            """
        do {
            _ = try AlertReader.sparkConsole(text, source: "console.txt")
            Issue.record("accepted a truncated cell")
        } catch {
            #expect(error.line == 5)
            #expect(error.reason.contains("truncate=false"))
        }
    }

    @Test func sparkConsoleTableCutOffAtTheEndIsPartial() throws {
        let text = "Batch: 3\n+----+----+-----+\n|window|user|count|\n+----+----+-----+\n|{2026-01-20 13:53:00, 2026-01-20 13:53:10}|user_1|3|"
        let observed = try AlertReader.sparkConsole(text, source: "c")
        #expect(observed.alerts.count == 1)
        #expect(observed.partialBatches == [3])
    }

    @Test func aCaptureThatEndsInANewlineAfterARowIsAPartialTable() throws {
        // What a stopped spark-submit leaves: the last complete row, its line break, and perhaps a blank line.
        for ending in ["\n", "\n\n", "\r\n  \n"] {
            let text = "Batch: 3\n+----+----+-----+\n|window|user|count|\n+----+----+-----+\n|{2026-01-20 13:53:00, 2026-01-20 13:53:10}|user_1|3|" + ending
            let observed = try AlertReader.sparkConsole(text, source: "c")
            #expect(observed.alerts.count == 1)
            #expect(observed.partialBatches == [3])
        }
    }

    @Test func aBlankLineInsideATableIsStillRefused() {
        let text = "Batch: 3\n+--+\n|window|user|count|\n+--+\n\n|{2026-01-20 13:53:00, 2026-01-20 13:53:10}|user_1|3|\n+--+\n"
        #expect(throws: AlertReadError.self) { try AlertReader.sparkConsole(text, source: "c") }
    }

    @Test(arguments: [
        ("|{2026-01-20 13:53:00, 2026-01-20 13:53:10}|user_1|3|", 1, "outside a table"),
        ("+--+\n|window|user|count|\n+--+", 1, "before any 'Batch: N' header"),
        ("Batch: 1\n+--+\n|a|b|c|\n+--+", 3, "cannot tell the window"),
        ("Batch: 1\n+--+\n|window|user|count|\n+--+\n|{2026-01-20 13:53:00, 2026-01-20 13:53:10}|user_1|three|", 5, "is not a non-negative integer"),
        ("Batch: 1\n+--+\n|window|user|count|\n+--+\n|{2026-02-30 13:53:00, 2026-01-20 13:53:10}|user_1|3|", 5, "not a valid date"),
        ("Batch: 1\n+--+\n|window|user|count|\n+--+\nsomething else", 5, "expected a table row"),
        ("Batch: x", 1, "does not name a batch number"),
    ])
    func sparkConsoleErrorsNameTheLine(text: String, line: Int, reason: String) {
        do {
            _ = try AlertReader.sparkConsole(text, source: "console.txt")
            Issue.record("accepted bad console output")
        } catch {
            #expect(error.line == line)
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }
}

@Suite("Identifiers in findings")
struct ShownIdentifierTests {
    @Test func aHugeUserIdIsCutWithANoteOfItsLength() throws {
        let huge = "user_" + String(repeating: "x", count: 1_000_000)
        let alert = AlertRecord(windowStart: 0, windowEnd: 10_000, userId: huge, crashCount: 3, emittedAt: 20_000, batch: 1)
        let (result, _) = try judge([], alerts: [alert], rule: RuleSettings(), log: nil)
        let finding = try #require(result.alerts.examples.first)
        #expect(finding.userId.count < 200)
        #expect(finding.userId.hasSuffix("... (cut: 1000005 characters in all)"))
    }
}
