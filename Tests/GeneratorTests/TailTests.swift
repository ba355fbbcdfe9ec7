import EventModel
import Foundation
import Generator
import Testing

@Suite("The tail that closes every window")
struct TailTests {
    /// Tails of several workers, each record decoded back from its JSON bytes.
    private func decodedTails(settings: GeneratorSettings, workers: Int, plan: TailPlan) throws -> [(worker: Int, user: String, timestamp: Int64, severity: String, content: String, facts: EventFacts)] {
        let value = RecordBuffer()
        let key = RecordBuffer()
        var records: [(Int, String, Int64, String, String, EventFacts)] = []
        let measuredEndMs: Int64 = 1_769_000_004_321
        for worker in 0..<workers {
            let tail = try TailEvents(settings: settings, worker: worker, count: plan.count)
            for index in 0..<tail.count {
                let facts = tail.synthesize(
                    index: index, sequence: 1_000 + UInt64(index), eventTimeMs: plan.eventTimeMs(of: index, measuredEndMs: measuredEndMs),
                    value: value, key: key)
                let object = try #require(JSONSerialization.jsonObject(with: Data(value.bytes)) as? [String: Any])
                let user = try #require(object["user_id"] as? String)
                #expect(String(decoding: key.bytes, as: UTF8.self) == user)
                records.append((
                    worker, user, try #require(object["timestamp"] as? Int64), try #require(object["severity"] as? String),
                    try #require(object["content"] as? String), facts
                ))
            }
        }
        return records
    }

    @Test("no tail (window, user) reaches past the threshold, and no tail user is a measured user")
    func tailUsersStayBelowThreshold() throws {
        var settings = GeneratorSettings()
        settings.users = 700
        let plan = TailPlan(windowMs: settings.windowMs, watermarkDelayMs: settings.watermarkDelayMs, speedup: 4)
        let records = try decodedTails(settings: settings, workers: 3, plan: plan)
        #expect(records.count == 3 * plan.count)
        let threshold = 2
        var perWindow: [String: Int] = [:]
        for record in records {
            let window = record.timestamp / settings.windowMs
            perWindow["\(window)/\(record.user)", default: 0] += 1
        }
        #expect(perWindow.values.allSatisfy { $0 <= threshold })
        let measured = Set((0..<settings.users).map { UserIDs.name(index: $0) })
        #expect(records.allSatisfy { !measured.contains($0.user) })
    }

    @Test("every tail record matches the rule and is flagged as tail in its facts")
    func tailRecordsMatch() throws {
        var settings = GeneratorSettings()
        settings.crashTerm = "boom"
        let plan = TailPlan(windowMs: 10_000, watermarkDelayMs: 30_000)
        for record in try decodedTails(settings: settings, workers: 1, plan: plan) {
            #expect(record.content.contains("boom"))
            #expect(["High", "Critical"].contains(record.severity))
            #expect(record.facts.flags.contains(.tail))
            #expect(record.facts.flags.contains(.termCaseSensitive))
            #expect(record.facts.eventTimeMs == record.timestamp)
            #expect(record.facts.userID == record.user)
        }
    }

    @Test("the tail spans window + delay + 10 s of event time after the measured stream, sent K times faster")
    func tailSpan() throws {
        let plan = TailPlan(windowMs: 10_000, watermarkDelayMs: 30_000, speedup: 5)
        let end: Int64 = 1_769_000_000_000
        #expect(plan.eventTimeMs(of: 0, measuredEndMs: end) == end)
        let last = plan.eventTimeMs(of: plan.count - 1, measuredEndMs: end)
        // The last record is within one spacing of the span's end, so the watermark passes every measured window.
        #expect(last - end + 1_000 / Int64(plan.recordsPerSecond) >= 50_000)
        #expect(last - end < 50_000)
        #expect(plan.sendingRate == plan.recordsPerSecond * 5)
    }
}
