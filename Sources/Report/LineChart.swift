/// A line chart over time drawn as inline SVG, for the run's time series in `report.html`. Points where a
/// series has no value break its line.
struct LineChart {
    struct Series {
        let name: String
        /// A CSS color.
        let color: String
        /// (seconds, value) pairs; nil values are gaps.
        let points: [(Double, Double?)]
    }

    let title: String
    let series: [Series]
    let yLabel: String

    private let width = 860.0
    private let height = 220.0
    private let left = 64.0
    private let right = 12.0
    private let top = 28.0
    private let bottom = 40.0

    func svg() -> String {
        let xs = series.flatMap { $0.points.map(\.0) }
        let ys = series.flatMap { $0.points.compactMap(\.1) }
        let xMax = max(xs.max() ?? 1, 1)
        let yMax = max(ys.max() ?? 1, 1)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func x(_ value: Double) -> Double { left + value / xMax * plotWidth }
        func y(_ value: Double) -> Double { top + (1 - max(value, 0) / yMax) * plotHeight }

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\">"
        out += "<title>\(Markup.escaped(title))</title>"
        out += text(x: left, y: 16, title, anchor: "start", size: 13, weight: "bold")
        out += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\" stroke=\"#888\"/>"
        out += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - right)\" y2=\"\(top + plotHeight)\" stroke=\"#888\"/>"
        out += text(x: left - 6, y: top + 4, Self.number(yMax), anchor: "end", size: 10)
        out += text(x: left - 6, y: top + plotHeight + 4, "0", anchor: "end", size: 10)
        out += text(x: width - right, y: top + plotHeight + 14, "\(Int(xMax.rounded())) s", anchor: "end", size: 10)
        out += text(x: left, y: top + plotHeight + 14, "0 s", anchor: "start", size: 10)
        let middle = Self.format(top + plotHeight / 2)
        out += "<text x=\"12\" y=\"\(middle)\" font-size=\"10\" transform=\"rotate(-90 12 \(middle))\" text-anchor=\"middle\">\(Markup.escaped(yLabel))</text>"
        for series in series {
            var path = ""
            var drawing = false
            for (second, value) in series.points {
                guard let value else {
                    drawing = false
                    continue
                }
                path += "\(drawing ? "L" : "M")\(Self.format(x(second))) \(Self.format(y(value))) "
                drawing = true
            }
            if !path.isEmpty {
                out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"1.5\"><title>\(Markup.escaped(series.name))</title></path>"
            }
        }
        for (index, series) in series.enumerated() {
            let legendX = left + Double(index) * 200
            out += "<rect x=\"\(Self.format(legendX))\" y=\"\(Self.format(height - 14))\" width=\"10\" height=\"10\" fill=\"\(series.color)\"/>"
            out += text(x: legendX + 14, y: height - 5, series.name, anchor: "start", size: 11)
        }
        return out + "</svg>"
    }

    private func text(x: Double, y: Double, _ content: String, anchor: String, size: Int, weight: String = "normal") -> String {
        "<text x=\"\(Self.format(x))\" y=\"\(Self.format(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" text-anchor=\"\(anchor)\">\(Markup.escaped(content))</text>"
    }

    private static func format(_ value: Double) -> String { String((value * 100).rounded() / 100) }

    private static func number(_ value: Double) -> String { value >= 100 ? String(Int64(value.rounded())) : String((value * 10).rounded() / 10) }
}

extension RunTimeline {
    /// The run's time series as charts: rates, lag, watermark delay, batch duration, alerts per second and per
    /// window.
    func charts() -> String {
        func series(_ name: String, _ color: String, _ value: (Point) -> Double?) -> LineChart.Series {
            LineChart.Series(name: name, color: color, points: points.map { ($0.second, value($0)) })
        }
        var out = LineChart(
            title: "Input and processing rate", series: [series("input", "#2c7fb8", \.inputRate), series("processed", "#d95f0e", \.processingRate)],
            yLabel: "records/s"
        ).svg()
        out += LineChart(title: "Records waiting (lag)", series: [series("lag", "#c0392b", \.lag)], yLabel: "records").svg()
        if points.contains(where: { $0.watermarkDelaySeconds != nil }) {
            out += LineChart(
                title: "Watermark behind the wall clock", series: [series("eviction watermark", "#6a3d9a", \.watermarkDelaySeconds)], yLabel: "seconds"
            ).svg()
        }
        if points.contains(where: { $0.batchMs != nil }) {
            out += LineChart(title: "Batch duration", series: [series("newest batch", "#33a02c", \.batchMs)], yLabel: "ms").svg()
        }
        if points.contains(where: { $0.detectorMemoryMB != nil }) {
            out += LineChart(title: "Detector memory (resident)", series: [series("detectors", "#1b9e77", \.detectorMemoryMB)], yLabel: "MB").svg()
        }
        if points.contains(where: { $0.alertRate != nil }) {
            out += LineChart(title: "Alerts written", series: [series("alerts", "#e7298a", \.alertRate)], yLabel: "alerts/s").svg()
        }
        if !alertsPerWindow.isEmpty {
            out += BarChart(
                title: "Alerts per window (by window start, UTC)", labels: alertsPerWindow.map { String(Wording.time($0.windowStart).dropFirst(11).prefix(8)) },
                series: [.init(name: "alerted (window, user) pairs", color: "#e7298a", values: alertsPerWindow.map { Double($0.alerts) })],
                yLabel: "alerts"
            ).svg()
        }
        return out
    }
}
