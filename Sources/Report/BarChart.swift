/// A bar chart drawn as inline SVG, so that `report.html` needs no script and no other file. Bars of
/// several series stand side by side per category; negative values hang below the zero line.
struct BarChart {
    struct Series {
        let name: String
        /// A CSS color.
        let color: String
        let values: [Double]
    }

    let title: String
    /// One label per category; only a few are printed under the axis so that they never overlap.
    let labels: [String]
    let series: [Series]
    let yLabel: String

    private let width = 860.0
    private let height = 260.0
    private let left = 56.0
    private let right = 12.0
    private let top = 28.0
    private let bottom = 44.0

    func svg() -> String {
        let categories = max(labels.count, 1)
        let values = series.flatMap(\.values)
        let highest = max(values.max() ?? 0, 0)
        let lowest = min(values.min() ?? 0, 0)
        let span = highest - lowest > 0 ? highest - lowest : 1
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func y(_ value: Double) -> Double { top + (highest - value) / span * plotHeight }
        let slot = plotWidth / Double(categories)
        let barWidth = max(slot * 0.8 / Double(max(series.count, 1)), 0.5)

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\">"
        out += "<title>\(Markup.escaped(title))</title>"
        out += text(x: left, y: 16, title, anchor: "start", size: 13, weight: "bold")
        // Axes and the zero line, with the extremes written on the y axis.
        out += line(x1: left, y1: top, x2: left, y2: top + plotHeight, color: "#888")
        out += line(x1: left, y1: y(0), x2: width - right, y2: y(0), color: "#888")
        out += text(x: left - 6, y: y(highest) + 4, Self.number(highest), anchor: "end", size: 10)
        if lowest < 0 { out += text(x: left - 6, y: y(lowest) + 4, Self.number(lowest), anchor: "end", size: 10) }
        out += text(x: left - 6, y: y(0) + 4, "0", anchor: "end", size: 10)
        out += "<text x=\"12\" y=\"\(Self.format(top + plotHeight / 2))\" font-size=\"10\" transform=\"rotate(-90 12 \(Self.format(top + plotHeight / 2)))\" text-anchor=\"middle\">\(Markup.escaped(yLabel))</text>"
        for (index, series) in series.enumerated() {
            for (category, value) in series.values.enumerated() where value != 0 {
                let x = left + Double(category) * slot + slot * 0.1 + Double(index) * barWidth
                let top = y(max(value, 0))
                let barHeight = abs(y(value) - y(0))
                out += "<rect x=\"\(Self.format(x))\" y=\"\(Self.format(top))\" width=\"\(Self.format(barWidth))\" height=\"\(Self.format(max(barHeight, 0.5)))\" fill=\"\(series.color)\">"
                out += "<title>\(Markup.escaped("\(labels.indices.contains(category) ? labels[category] : ""): \(series.name) \(Self.number(value))"))</title></rect>"
            }
        }
        let step = max(1, categories / 6)
        for category in stride(from: 0, to: labels.count, by: step) {
            out += text(x: left + (Double(category) + 0.5) * slot, y: height - bottom + 16, labels[category], anchor: "middle", size: 10)
        }
        for (index, series) in series.enumerated() {
            let x = left + Double(index) * 200
            out += "<rect x=\"\(Self.format(x))\" y=\"\(Self.format(height - 14))\" width=\"10\" height=\"10\" fill=\"\(series.color)\"/>"
            out += text(x: x + 14, y: height - 5, series.name, anchor: "start", size: 11)
        }
        return out + "</svg>"
    }

    private func text(x: Double, y: Double, _ content: String, anchor: String, size: Int, weight: String = "normal") -> String {
        "<text x=\"\(Self.format(x))\" y=\"\(Self.format(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" text-anchor=\"\(anchor)\">\(Markup.escaped(content))</text>"
    }

    private func line(x1: Double, y1: Double, x2: Double, y2: Double, color: String) -> String {
        "<line x1=\"\(Self.format(x1))\" y1=\"\(Self.format(y1))\" x2=\"\(Self.format(x2))\" y2=\"\(Self.format(y2))\" stroke=\"\(color)\"/>"
    }

    /// A coordinate with at most two decimals.
    private static func format(_ value: Double) -> String { String((value * 100).rounded() / 100) }

    /// A value as an integer when it is one.
    private static func number(_ value: Double) -> String { value == value.rounded() ? String(Int64(value)) : String(value) }
}

/// Escaping for HTML and XML text and attribute values.
public enum Markup {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // XML 1.0 allows no other control characters, even escaped.
            case _ where character.value < 0x20 && character != "\n" && character != "\t" && character != "\r": out += "?"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
