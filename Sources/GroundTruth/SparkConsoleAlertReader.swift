extension AlertReader {
    /// Reads Spark's console sink: `Batch: N` headers, each followed by a table whose rows are
    /// `|{start, end}|user|count|`. Columns are told apart by their header names (one containing "count",
    /// one containing "user", the third holds the window); times are read at Spark's printed precision in
    /// the given time zone (Spark's session time zone; UTC by default).
    ///
    /// `only showing top N rows` marks its batch as partial evidence, as does a table cut off at the end of
    /// the output. A cell that ends in `...` was cut by Spark's default truncation (20 characters) and is
    /// refused: the window it held cannot be known. Lines outside tables that are none of the above (Spark
    /// interleaves its log lines) are skipped; inside a table every line must be a row or a border.
    public static func sparkConsole(_ text: String, source: String, timeZone: ConsoleTimeZone = .utc) throws(AlertReadError) -> ObservedAlerts {
        var parser = ConsoleParser(source: source, timeZone: timeZone)
        // Blank lines at the end are the end of the output, not a line inside a table that was cut there (a
        // stopped spark-submit's capture ends in a newline right after its last row).
        var numbered = lines(text)
        while let last = numbered.last, last.text.allSatisfy(\.isWhitespace) { numbered.removeLast() }
        for (number, line) in numbered {
            try parser.read(line, number: number)
        }
        if parser.state != .outside, let batch = parser.batch { parser.partial.insert(batch) }
        return ObservedAlerts(source: source, format: .sparkConsole, alerts: parser.alerts, partialBatches: parser.partial)
    }
}

/// The state of reading one console output, line by line.
private struct ConsoleParser {
    enum State {
        case outside, header, headerBorder, rows
    }

    struct Columns {
        let window: Int
        let user: Int
        let count: Int
    }

    let source: String
    let timeZone: ConsoleTimeZone
    var state = State.outside
    var batch: Int64?
    var columns: Columns?
    var alerts: [ObservedAlert] = []
    var partial: Set<Int64> = []

    init(source: String, timeZone: ConsoleTimeZone) {
        self.source = source
        self.timeZone = timeZone
    }

    func error(_ number: Int, _ reason: String) -> AlertReadError {
        AlertReadError(source: source, line: number, reason: reason)
    }

    mutating func read(_ line: Substring, number: Int) throws(AlertReadError) {
        let isBorder = line.first == "+" && line.allSatisfy { $0 == "+" || $0 == "-" }
        let isRow = line.first == "|"
        switch state {
        case .outside:
            if isBorder {
                guard batch != nil else { throw error(number, "a table before any 'Batch: N' header") }
                state = .header
            } else if isRow {
                throw error(number, "a table row outside a table")
            } else if line.hasPrefix("Batch: ") {
                guard let id = Int64(line.dropFirst("Batch: ".count)), id >= 0 else {
                    throw error(number, "'\(line)' does not name a batch number")
                }
                batch = id
            } else if line.hasPrefix("only showing top "), let batch {
                partial.insert(batch)
            }
        case .header:
            guard isRow else { throw error(number, "expected the table's header row") }
            columns = try headerColumns(line, number: number)
            state = .headerBorder
        case .headerBorder:
            guard isBorder else { throw error(number, "expected a border under the table's header") }
            state = .rows
        case .rows:
            if isBorder {
                state = .outside
            } else if isRow {
                try readRow(line, number: number)
            } else {
                throw error(number, "expected a table row or the table's closing border")
            }
        }
    }

    private func cells(_ line: Substring, number: Int) throws(AlertReadError) -> [Substring] {
        guard line.count >= 2, line.last == "|" else { throw error(number, "a table row must start and end with '|'") }
        return line.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false).map {
            Substring($0.trimmedOfBlanks())
        }
    }

    private func headerColumns(_ line: Substring, number: Int) throws(AlertReadError) -> Columns {
        let names = try cells(line, number: number).map { $0.lowercased() }
        let count = names.indices.filter { names[$0].contains("count") }
        let user = names.indices.filter { names[$0].contains("user") }
        let window = names.indices.filter { !count.contains($0) && !user.contains($0) }
        guard names.count == 3, count.count == 1, user.count == 1, window.count == 1 else {
            throw error(number, "cannot tell the window, user and count columns from the header \(line)")
        }
        return Columns(window: window[0], user: user[0], count: count[0])
    }

    private mutating func readRow(_ line: Substring, number: Int) throws(AlertReadError) {
        let cells = try cells(line, number: number)
        guard let columns, cells.count == 3 else { throw error(number, "expected 3 cells, found \(cells.count)") }
        if let cut = cells.first(where: { $0.hasSuffix("...") }) {
            throw error(
                number,
                "cell '\(cut)' was cut short by Spark's console truncation (cells over 20 characters); run the query with truncate=false")
        }
        let window = cells[columns.window]
        guard window.first == "{", window.last == "}" else { throw error(number, "window '\(window)' is not {start, end}") }
        let bounds = window.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
        guard bounds.count == 2 else { throw error(number, "window '\(window)' is not {start, end}") }
        let start: Int64
        let end: Int64
        do {
            start = try CivilTime.epochMilliseconds(Substring(bounds[0].trimmedOfBlanks()), zone: timeZone)
            end = try CivilTime.epochMilliseconds(Substring(bounds[1].trimmedOfBlanks()), zone: timeZone)
        } catch {
            throw self.error(number, error.message)
        }
        guard let count = Int(cells[columns.count]), count >= 0 else {
            throw error(number, "count '\(cells[columns.count])' is not a non-negative integer")
        }
        let user = String(cells[columns.user])
        guard !user.isEmpty else { throw error(number, "the user cell is empty") }
        alerts.append(ObservedAlert(windowStart: start, windowEnd: end, userId: user, count: count, batch: batch, line: number))
    }
}
