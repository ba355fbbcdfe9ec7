import Contracts
import Testing

@Suite("Alert, batch-log and generator stats records")
struct RecordTests {
    @Test func alertRoundTripUsesContractKeys() throws {
        let alert = AlertRecord(windowStart: 10_000, windowEnd: 20_000, userId: "user_1234", crashCount: 5, emittedAt: 25_000, batch: 3)
        let line = alert.jsonLine
        #expect(line.contains("\"window_start\":10000"))
        #expect(line.contains("\"user_id\":\"user_1234\""))
        #expect(try AlertRecord(jsonLine: line) == alert)
    }

    @Test func batchLogRoundTripKeepsPartitionKeys() throws {
        let entry = BatchLogEntry(
            batch: 7, lateWatermarkMs: 100, evictionWatermarkMs: 200, endOffsets: [0: 10, 3: 42],
            startedAt: 1, endedAt: 2, instance: "detect-1", partitions: [0, 3])
        let line = entry.jsonLine
        #expect(line.contains("\"end_offsets\":{\"0\":10,\"3\":42}"))
        #expect(try BatchLogEntry(jsonLine: line) == entry)
    }

    @Test func batchLogRefusesNonIntegerPartition() {
        let line = #"{"batch":1,"late_watermark_ms":0,"eviction_watermark_ms":0,"end_offsets":{"x":1},"started_at":0,"ended_at":0,"instance":"a"}"#
        #expect(throws: (any Error).self) { try BatchLogEntry(jsonLine: line) }
    }

    @Test func generatorStatsRoundTripKeepsPartitionKeys() throws {
        let entry = GeneratorStatsEntry(atMs: 1_769_000_000_000, sent: 12_000, acknowledged: 11_500, partitionEnds: [0: 2_900, 2: 3_000])
        let line = entry.jsonLine
        #expect(line.contains("\"partition_ends\":{\"0\":2900,\"2\":3000}"), "\(line)")
        #expect(try GeneratorStatsEntry(jsonLine: line) == entry)
    }

    @Test func quotedEscapesControlCharacters() {
        #expect(JSONText.quoted("a\"b\\c\n\u{01}") == #""a\"b\\c\n\u0001""#)
    }
}
