import Foundation
import Testing
@testable import Report

@Suite("Run timeline")
struct RunTimelineTests {
    private let lines = """
        {"alerts":0,"arrived":0,"at_ms":1000,"consumers":[{"lag":0,"lag_by_partition":{"0":0},"name":"g","processed":0,"source":"committed offsets","verdict":"measuring"}],"input_source":"topic","topic":"logs"}
        {"alert_rate":2,"alerts":2,"arrived":5000,"at_ms":2000,"consumers":[{"lag":700,"lag_by_partition":{"0":700},"name":"g","processed":4300,"processing_rate":4300,"source":"committed offsets","verdict":"measuring"},{"lag":100,"lag_by_partition":{"0":100},"name":"spark-0","processed":4900,"processing_rate":4900,"source":"batch log","verdict":"measuring","watermark_ms":-28000,"last_batch_ms":350}],"input_rate":5000,"input_source":"topic","topic":"logs"}
        not json
        {"alert_rate":1,"alerts":3,"alerts_per_window":[{"alerts":2,"window_start":1769000010000},{"alerts":1,"window_start":1769000000000}],"arrived":10000,"at_ms":3000,"consumers":[],"input_rate":5000,"input_source":"topic","topic":"logs"}
        {"alert_rate":1,"alerts":4,"alerts_per_window":[{"alerts":3,"window_start":1769000010000}],"arrived":15000,"at_ms":4000,"consumers":[],"input_rate":5000,"input_source":"generator","topic":"logs"}

        """

    @Test func readsEverySecondAndSkipsBrokenLines() {
        let timeline = RunTimeline(jsonLines: lines)
        #expect(timeline.points.map(\.second) == [0, 1, 2, 3])
        #expect(timeline.points[1].inputRate == 5_000)
        #expect(timeline.points[1].processingRate == 9_200)
        #expect(timeline.points[1].lag == 800)
        #expect(timeline.points[1].batchMs == 350)
        #expect(timeline.points[1].watermarkDelaySeconds == nil)
        #expect(timeline.points[2].lag == nil)
        #expect(timeline.points[2].alertRate == 1)
    }

    @Test func aWindowsAlertsAreItsLastFigure() {
        let windows = RunTimeline(jsonLines: lines).alertsPerWindow
        #expect(windows.map(\.windowStart) == [1_769_000_000_000, 1_769_000_010_000])
        #expect(windows.map(\.alerts) == [1, 3])
    }

    @Test func theWatermarkIsShownAsItsDistanceFromTheClock() {
        let line = #"{"at_ms":50000,"consumers":[{"lag":0,"name":"a","processed":0,"watermark_ms":20000},{"lag":0,"name":"b","processed":0,"watermark_ms":12000}]}"#
        #expect(RunTimeline(jsonLines: line).points.first?.watermarkDelaySeconds == 38)
    }

    @Test func aRunFolderWithATimelineGetsItsChartsInTheReport() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("windtunnel-timeline-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(RunTimeline.read(folder: folder) == nil)
        try lines.write(toFile: "\(folder)/\(RunTimeline.fileName)", atomically: true, encoding: .utf8)
        let timeline = try #require(RunTimeline.read(folder: folder))
        let charts = timeline.charts()
        for title in ["Input and processing rate", "Records waiting (lag)", "Batch duration", "Alerts written", "Alerts per window (by window start, UTC)"] {
            #expect(charts.contains("<title>\(title)</title>"), "\(title)")
        }
        #expect(charts.components(separatedBy: "<svg").count - 1 == 5)
        #expect(charts.contains("12:53:30: alerted (window, user) pairs 3"), "the bar of window 12:53:30 holds its last figure")
        #expect(charts.contains("<path d=\"M"))
    }
}
