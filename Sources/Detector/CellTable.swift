import Contracts

/// One open count: matching events of one user in one window of one partition.
struct Cell: Sendable, Equatable {
    /// Window start, epoch milliseconds.
    var windowStart: Int64
    /// Events counted; 0 marks an empty slot of the table.
    var count: Int64
    var user: UserIndex
    /// Whether the current batch counted an event here (what update mode emits).
    var touched: Bool

    static let empty = Cell(windowStart: 0, count: 0, user: UserIndex(raw: 0), touched: false)
}

/// The open counts of one partition, keyed by (window start, user).
///
/// An open-addressing table with linear probing, at most half full: counting an event costs two multiplies
/// and usually one compare, with no string hashing and no allocation once the table has grown to the
/// partition's working set. Evicted windows are removed at the end of each batch, so the table's size follows
/// the open state, and it shrinks again when that state does.
struct CellTable: Sendable {
    static let minimumCapacity = 64

    private(set) var slots: [Cell]
    /// The previous generation of `slots`, kept to rebuild into at the next eviction without allocating.
    private var spare: [Cell] = []
    /// Cells in use.
    private(set) var count = 0
    /// 64 - log2(capacity): the hash's top bits pick the slot.
    private var shift: UInt64
    /// The earliest window start in the table (Int64.max when empty), so a batch that evicts nothing can skip
    /// the sweep.
    private var earliestWindowStart = Int64.max
    /// Whether any cell is touched.
    private var touchedAny = false

    init(capacity: Int = minimumCapacity) {
        var size = Self.minimumCapacity
        while size < capacity { size *= 2 }
        slots = [Cell](repeating: .empty, count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    /// Counts one event of `user` in the window starting at `windowStart`.
    @inline(__always)
    mutating func increment(windowStart: Int64, user: UserIndex) {
        if (count + 1) * 2 > slots.count { resize(to: slots.count * 2) }
        let start = Self.slot(windowStart: windowStart, user: user, shift: shift)
        let mask = slots.count - 1
        let inserted = slots.withUnsafeMutableBufferPointer { cells in
            var index = start
            while true {
                if cells[index].count == 0 {
                    cells[index] = Cell(windowStart: windowStart, count: 1, user: user, touched: true)
                    return true
                }
                if cells[index].windowStart == windowStart, cells[index].user == user {
                    cells[index].count += 1
                    cells[index].touched = true
                    return false
                }
                index = (index + 1) & mask
            }
        }
        if inserted {
            count += 1
            earliestWindowStart = min(earliestWindowStart, windowStart)
        }
        touchedAny = true
    }

    /// Adds a whole cell read from a snapshot; false when the table already holds its (window, user).
    mutating func insert(_ cell: Cell) -> Bool {
        if contains(windowStart: cell.windowStart, user: cell.user) { return false }
        if (count + 1) * 2 > slots.count { resize(to: slots.count * 2) }
        Self.place(cell, in: &slots, shift: shift)
        count += 1
        earliestWindowStart = min(earliestWindowStart, cell.windowStart)
        touchedAny = touchedAny || cell.touched
        return true
    }

    private func contains(windowStart: Int64, user: UserIndex) -> Bool {
        let mask = slots.count - 1
        var index = Self.slot(windowStart: windowStart, user: user, shift: shift)
        while slots[index].count != 0 {
            if slots[index].windowStart == windowStart, slots[index].user == user { return true }
            index = (index + 1) & mask
        }
        return false
    }

    /// Calls `body` with every cell in use, in no particular order.
    func forEachCell(_ body: (Cell) -> Void) {
        for cell in slots where cell.count != 0 { body(cell) }
    }

    /// Ends a batch for this partition (the order is Spark's: emit updates, then evict):
    /// - in update mode, appends to `emitted` each cell counted in this batch whose count exceeds `threshold`;
    /// - removes every cell whose window ends at or before `evictionMs`; in append mode, appends those whose
    ///   count exceeds `threshold` (each leaves the table, so it is emitted exactly once);
    /// - clears the batch's marks. Returns whether any cell was removed.
    mutating func closeBatch(
        evictionMs: Int64, windowMs: Int64, threshold: Int64, mode: OutputMode, emitted: inout [Cell]
    ) -> Bool {
        let evicts = count > 0 && earliestWindowStart + windowMs <= evictionMs
        if !evicts {
            if touchedAny {
                for index in slots.indices where slots[index].touched {
                    if mode == .update, slots[index].count > threshold { emitted.append(slots[index]) }
                    slots[index].touched = false
                }
                touchedAny = false
            }
            return false
        }
        if spare.count == slots.count {
            spare.withUnsafeMutableBufferPointer { $0.update(repeating: .empty) }
        } else {
            spare = [Cell](repeating: .empty, count: slots.count)
        }
        var kept = 0
        var earliest = Int64.max
        for var cell in slots where cell.count != 0 {
            if mode == .update, cell.touched, cell.count > threshold { emitted.append(cell) }
            if cell.windowStart + windowMs <= evictionMs {
                if mode == .append, cell.count > threshold { emitted.append(cell) }
            } else {
                cell.touched = false
                Self.place(cell, in: &spare, shift: shift)
                kept += 1
                earliest = min(earliest, cell.windowStart)
            }
        }
        swap(&slots, &spare)
        count = kept
        earliestWindowStart = earliest
        touchedAny = false
        if slots.count > Self.minimumCapacity, kept * 8 < slots.count {
            resize(to: max(Self.minimumCapacity, slots.count / 4))
            spare = []
        }
        return true
    }

    // MARK: Slots

    /// Fibonacci hashing of the key: the product's top bits are well mixed even for window starts that are
    /// all multiples of the window length.
    @inline(__always)
    private static func slot(windowStart: Int64, user: UserIndex, shift: UInt64) -> Int {
        let key = (UInt64(bitPattern: windowStart) &* 0x9E37_79B9_7F4A_7C15) &+ UInt64(user.raw)
        return Int(truncatingIfNeeded: (key &* 0xD6E8_FEB8_6659_FD93) >> shift)
    }

    private static func place(_ cell: Cell, in table: inout [Cell], shift: UInt64) {
        let mask = table.count - 1
        var index = slot(windowStart: cell.windowStart, user: cell.user, shift: shift)
        while table[index].count != 0 { index = (index + 1) & mask }
        table[index] = cell
    }

    private mutating func resize(to capacity: Int) {
        let old = slots
        slots = [Cell](repeating: .empty, count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        for cell in old where cell.count != 0 { Self.place(cell, in: &slots, shift: shift) }
    }
}
