import Contracts
import EventModel
import Foundation
import Testing

@Suite("Well-formed events follow the schema")
struct EventSchemaTests {
    @Test("every well-formed value parses and has the schema's fields, types and facts")
    func schema() throws {
        let all = try samples(busySettings(), count: 20_000)
        let wellFormed = all.filter { $0.facts.malformed == nil }
        #expect(wellFormed.count > 15_000)
        for sample in wellFormed {
            let object = try #require(sample.object, "not a JSON object: \(String(decoding: sample.value, as: UTF8.self))")
            #expect(Set(object.keys) == ["timestamp", "status", "severity", "source_ip", "user_id", "content"])
            let timestamp = try #require(object["timestamp"] as? NSNumber)
            #expect(!(object["timestamp"] is String))
            #expect(timestamp.doubleValue == Double(timestamp.int64Value))
            #expect(timestamp.int64Value == sample.facts.eventTimeMs)
            #expect(object["severity"] as? String == sample.facts.severity.rawValue)
            #expect(object["user_id"] as? String == sample.facts.userID)
            #expect(sample.key == Array(sample.facts.userID.utf8))
            #expect(["OK", "WARN", "ERROR"].contains(object["status"] as? String ?? ""))
            let address = try #require(object["source_ip"] as? String)
            let octets = address.split(separator: ".").compactMap { UInt8($0) }
            #expect(octets.count == 4 && octets[0] == 10)
            #expect(!(try #require(object["content"] as? String)).isEmpty)
        }
        let sizes = wellFormed.map(\.value.count)
        let mean = Double(sizes.reduce(0, +)) / Double(sizes.count)
        #expect(mean > 140 && mean < 230, "mean value size \(mean) bytes, the course's records are about 180")
    }

    @Test("users: N users are user_1000 up to user_{1000+N-1}, all of them drawn")
    func userRange() throws {
        var settings = testSettings()
        settings.users = 5
        let ids = Set(try samples(settings, count: 500).map(\.facts.userID))
        #expect(ids == ["user_1000", "user_1001", "user_1002", "user_1003", "user_1004"])
    }

    @Test("severity weights: a severity with weight 0 never appears")
    func severityWeights() throws {
        var settings = testSettings()
        settings.severityWeights = try SeverityWeights(parsing: "High=3,Critical=1")
        let drawn = try samples(settings, count: 4_000).map(\.facts.severity)
        #expect(Set(drawn) == [.high, .critical])
        let high = drawn.filter { $0 == .high }.count
        #expect(high > 2_700 && high < 3_300, "High drawn \(high) of 4000 times, expected about 3000")
    }

    @Test("zipf makes the top user far busier than the mean; uniform does not")
    func zipfSkew() throws {
        var settings = testSettings()
        settings.userDistribution = .zipf(exponent: 1.1)
        let count = 50_000
        func topOverMean(_ settings: GeneratorSettings) throws -> Double {
            var perUser = [Int](repeating: 0, count: settings.users)
            for sample in try samples(settings, count: count) { perUser[Int(sample.facts.userIndex)] += 1 }
            return Double(perUser.max() ?? 0) / (Double(count) / Double(settings.users))
        }
        #expect(try topOverMean(settings) > 50)
        #expect(try topOverMean(testSettings()) < 2)
    }

    @Test("on-time events carry their scheduled time")
    func onTime() throws {
        for sample in try samples(testSettings(), count: 1_000) {
            #expect(sample.facts.lateness == .onTime)
            #expect(sample.facts.eventTimeMs == sample.facts.scheduledMs)
        }
    }
}
