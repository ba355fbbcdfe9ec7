/// Checkpoints: the whole engine, or the state of one partition, as versioned bytes (see `SnapshotFrame`).
///
/// Engine snapshot ("WTDE"): window length, next batch id, open-batch flag, late and eviction watermarks,
/// largest matching event time, the totals, the user-id table, then each partition's cells.
/// Partition snapshot ("WTDP"): window length, the user-id table, the partition id and its cells.
/// A user-id table lists the ids that are not `user_N`; a cell names its user either as N or as a position in
/// that table (top bit set). Cells are written in (window, user) order, so equal states give equal bytes.
extension WindowEngine {
    private static let engineMark: StaticString = "WTDE"
    private static let partitionMark: StaticString = "WTDP"
    private static let engineInput = "detector snapshot"
    private static let partitionInput = "partition snapshot"
    /// Window start, user, count and touched flag.
    private static let cellSize = 8 + 4 + 8 + 1

    // MARK: Whole engine

    /// The whole state, to resume from with `restore(_:)`. Best taken between batches, as a checkpoint is.
    public func snapshot() -> [UInt8] {
        var writer = SnapshotWriter(mark: Self.engineMark)
        writer.write(rule.windowMs)
        writer.write(nextBatch)
        writer.write(isBatchOpen)
        writer.write(watermarks.lateMs)
        writer.write(watermarks.evictionMs)
        writer.write(watermarks.maxEventTime != nil)
        writer.write(watermarks.maxEventTime ?? 0)
        for total in Self.totals { writer.write(Int64(counters[keyPath: total.field])) }
        let positions = partitionIDs.indices.sorted { partitionIDs[$0] < partitionIDs[$1] }
        let names = writeNames(of: positions, into: &writer)
        writer.write(UInt32(positions.count))
        for position in positions {
            writer.write(partitionIDs[position])
            writeCells(of: position, names: names, into: &writer)
        }
        return writer.finish()
    }

    /// Replaces the whole state with a snapshot's. The snapshot must have been taken with the same window
    /// length; the other settings are this engine's. On error the engine is left as it was.
    public mutating func restore(_ snapshot: [UInt8]) throws(SnapshotError) {
        var reader = try SnapshotReader(snapshot, mark: Self.engineMark, input: Self.engineInput)
        try readWindow(&reader)
        let nextBatch = try reader.read(Int64.self, "the next batch id")
        guard nextBatch >= 0 else { throw reader.failure("the next batch id \(nextBatch) is negative") }
        let isBatchOpen = try reader.readFlag("the open-batch flag")
        var watermarks = Watermarks()
        watermarks.lateMs = try reader.read(Int64.self, "the late-row watermark")
        watermarks.evictionMs = try reader.read(Int64.self, "the eviction watermark")
        guard 0 <= watermarks.lateMs, watermarks.lateMs <= watermarks.evictionMs else {
            throw reader.failure(
                "the watermarks are out of order: late-row \(watermarks.lateMs), eviction \(watermarks.evictionMs)")
        }
        let hasMaxEventTime = try reader.readFlag("the event-time flag")
        let maxEventTime = try reader.read(Int64.self, "the largest event time")
        if hasMaxEventTime { watermarks.maxEventTime = maxEventTime }
        var counters = DetectorStats()
        for total in Self.totals {
            let value = try reader.read(Int64.self, "the \(total.name) total")
            guard value >= 0 else { throw reader.failure("the \(total.name) total \(value) is negative") }
            counters[keyPath: total.field] = Int(value)
        }
        var users = UserTable()
        let names = try Self.readNames(&reader)
        let partitionCount = try reader.readCount("partitions", itemSize: 4 + 4)
        var partitionIDs: [Int32] = []
        var tables: [CellTable] = []
        for _ in 0..<partitionCount {
            let partition = try reader.read(Int32.self, "a partition id")
            guard !partitionIDs.contains(partition) else { throw reader.failure("partition \(partition) appears twice") }
            partitionIDs.append(partition)
            tables.append(try readCells(&reader, names: names, users: &users))
        }
        try reader.expectEnd()

        self.nextBatch = nextBatch
        self.isBatchOpen = isBatchOpen
        self.watermarks = watermarks
        self.counters = counters
        self.users = users
        self.partitionIDs = partitionIDs
        self.tables = tables
        forgetCachedPartition()
    }

    // MARK: Single partitions

    /// The partitions this engine holds state for, ascending.
    public var partitions: [Int32] { partitionIDs.sorted() }

    /// The state of one partition, for `loadPartition(_:)` in this or another engine (a revoked partition's
    /// state handed on through a checkpoint). A partition without state gives a snapshot of no cells.
    public func partitionSnapshot(_ partition: Int32) -> [UInt8] {
        var writer = SnapshotWriter(mark: Self.partitionMark)
        writer.write(rule.windowMs)
        let positions = partitionIDs.firstIndex(of: partition).map { [$0] } ?? []
        let names = writeNames(of: positions, into: &writer)
        writer.write(partition)
        if let position = positions.first {
            writeCells(of: position, names: names, into: &writer)
        } else {
            writer.write(UInt32(0))
        }
        return writer.finish()
    }

    /// Loads a partition's state taken by `partitionSnapshot(_:)`, replacing any state this engine held for
    /// that partition, and returns the partition id. The watermark stays this engine's own: it only moves
    /// with data that this engine reads. On error the engine is left as it was.
    @discardableResult
    public mutating func loadPartition(_ snapshot: [UInt8]) throws(SnapshotError) -> Int32 {
        var reader = try SnapshotReader(snapshot, mark: Self.partitionMark, input: Self.partitionInput)
        try readWindow(&reader)
        var users = self.users
        let names = try Self.readNames(&reader)
        let partition = try reader.read(Int32.self, "the partition id")
        let table = try readCells(&reader, names: names, users: &users)
        try reader.expectEnd()

        self.users = users
        if let position = partitionIDs.firstIndex(of: partition) {
            tables[position] = table
        } else {
            partitionIDs.append(partition)
            tables.append(table)
        }
        releaseUnreferencedUsers()
        return partition
    }

    /// Forgets the state of one partition (after handing it on, or when it was revoked).
    public mutating func dropPartition(_ partition: Int32) {
        guard let position = partitionIDs.firstIndex(of: partition) else { return }
        partitionIDs.remove(at: position)
        tables.remove(at: position)
        forgetCachedPartition()
        releaseUnreferencedUsers()
    }

    // MARK: Writing

    /// Writes the ids of the named users that the tables at `positions` refer to, and returns each one's tag.
    private func writeNames(of positions: [Int], into writer: inout SnapshotWriter) -> [Int: UInt32] {
        var tags: [Int: UInt32] = [:]
        var names: [String] = []
        for position in positions {
            tables[position].forEachCell { cell in
                guard let slot = cell.user.namedSlot, tags[slot] == nil else { return }
                tags[slot] = UserIndex.namedFlag | UInt32(names.count)
                names.append(users.userId(of: cell.user))
            }
        }
        writer.write(UInt32(names.count))
        for name in names { writer.write(bytes: name.utf8) }
        return tags
    }

    private func writeCells(of position: Int, names: [Int: UInt32], into writer: inout SnapshotWriter) {
        var cells: [(tag: UInt32, cell: Cell)] = []
        tables[position].forEachCell { cell in
            cells.append((cell.user.namedSlot.flatMap { names[$0] } ?? cell.user.raw, cell))
        }
        cells.sort { ($0.cell.windowStart, $0.tag) < ($1.cell.windowStart, $1.tag) }
        writer.write(UInt32(cells.count))
        for (tag, cell) in cells {
            writer.write(cell.windowStart)
            writer.write(tag)
            writer.write(cell.count)
            writer.write(cell.touched)
        }
    }

    // MARK: Reading

    private func readWindow(_ reader: inout SnapshotReader) throws(SnapshotError) {
        let windowMs = try reader.read(Int64.self, "the window length")
        guard windowMs == rule.windowMs else {
            throw reader.failure(
                "it was taken with \(windowMs) ms windows, but this detector counts \(rule.windowMs) ms windows")
        }
    }

    private static func readNames(_ reader: inout SnapshotReader) throws(SnapshotError) -> [ArraySlice<UInt8>] {
        let count = try reader.readCount("user ids", itemSize: 4)
        var names: [ArraySlice<UInt8>] = []
        for _ in 0..<count {
            let name = try reader.readBytes("a user id")
            let isUTF8 = name.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { UTF8Sequence.isValid($0, count: buffer.count) } ?? true
            }
            guard isUTF8 else { throw reader.failure("user id \(names.count) is not UTF-8") }
            names.append(name)
        }
        return names
    }

    private func readCells(
        _ reader: inout SnapshotReader, names: [ArraySlice<UInt8>], users: inout UserTable
    ) throws(SnapshotError) -> CellTable {
        let count = try reader.readCount("cells", itemSize: Self.cellSize)
        var table = CellTable(capacity: count * 2)
        let windowMs = rule.windowMs
        let earliest = -Int64(EventScanner.timestampLimit) - windowMs
        let latest = Int64(EventScanner.timestampLimit)
        for _ in 0..<count {
            let windowStart = try reader.read(Int64.self, "a window start")
            guard (earliest...latest).contains(windowStart),
                TumblingWindow.start(of: windowStart, length: windowMs) == windowStart
            else { throw reader.failure("window start \(windowStart) is not the start of a \(windowMs) ms window") }
            let tag = try reader.read(UInt32.self, "a user")
            let user: UserIndex
            if tag & UserIndex.namedFlag != 0 {
                let position = Int(tag & ~UserIndex.namedFlag)
                guard position < names.count else {
                    throw reader.failure("a cell names user id \(position) of a table of \(names.count)")
                }
                user = names[position].withUnsafeBufferPointer { users.index(of: $0) }
            } else {
                guard tag < 1_000_000_000 else { throw reader.failure("user number \(tag) has more than 9 digits") }
                user = UserIndex(raw: tag)
            }
            let cellCount = try reader.read(Int64.self, "a count")
            guard cellCount > 0 else { throw reader.failure("a cell has count \(cellCount), not a positive number") }
            let touched = try reader.readFlag("a touched flag")
            let cell = Cell(windowStart: windowStart, count: cellCount, user: user, touched: touched)
            guard table.insert(cell) else {
                throw reader.failure(
                    "the window starting at \(windowStart) of \(users.userId(of: user)) appears twice")
            }
        }
        return table
    }

    // MARK: Totals

    /// The totals a snapshot carries, in their order there.
    private static var totals: [(name: String, field: WritableKeyPath<DetectorStats, Int>)] {
        [
            ("records", \.records), ("matched", \.matched), ("late-dropped", \.lateDropped),
            ("not-UTF-8", \.malformed.notUTF8), ("invalid-JSON", \.malformed.invalidJSON),
            ("missing-field", \.malformed.missingField), ("wrong-type", \.malformed.wrongType),
            ("batches", \.batches), ("alerts", \.alertsEmitted),
        ]
    }
}
