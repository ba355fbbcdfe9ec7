/// A user as a small integer, so that counting needs no string hashing.
///
/// `user_N` (N written without leading zeros, at most 9 digits) is N itself, found by arithmetic on the
/// bytes. Any other id is interned in a `UserTable` and numbered by its slot there, with the top bit set.
struct UserIndex: Hashable, Sendable {
    static let namedFlag: UInt32 = 1 << 31

    var raw: UInt32

    /// The interned slot of a user that is not `user_N`, or nil for `user_N`.
    var namedSlot: Int? { raw & Self.namedFlag == 0 ? nil : Int(raw & ~Self.namedFlag) }
}

/// Maps user ids to `UserIndex` and back.
///
/// Ids of the form `user_N` cost nothing to store. Other ids are interned, one allocation per new id;
/// `keepOnly(_:)` frees those that no open window refers to any more, so the table stays as small as the
/// state that uses it even when every event brings a new id.
struct UserTable: Sendable {
    private struct NamedUser: Sendable {
        var bytes: [UInt8]
        var hash: UInt64
        /// False once freed; the slot is then listed in `freeSlots`.
        var isLive: Bool
    }

    /// Interned ids by slot.
    private var entries: [NamedUser] = []
    private var freeSlots: [Int] = []
    /// Open-addressing index over `entries`: a slot number, or -1 when empty. Its size is a power of two.
    private var buckets: [Int] = []
    /// How many ids are interned now.
    private(set) var namedCount = 0

    /// How many slots exist, live or free: the bound of `UserIndex.namedSlot`.
    var slotCount: Int { entries.count }

    /// The index of the user whose id is the UTF-8 `id`, interning it if it is new.
    mutating func index(of id: UnsafeBufferPointer<UInt8>) -> UserIndex {
        if let number = Self.number(in: id) { return UserIndex(raw: number) }
        let hash = Self.hash(id)
        if let slot = slot(of: id, hash: hash) { return UserIndex(raw: UserIndex.namedFlag | UInt32(slot)) }
        let entry = NamedUser(bytes: Array(id), hash: hash, isLive: true)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            entries[slot] = entry
        } else {
            slot = entries.count
            entries.append(entry)
        }
        namedCount += 1
        if namedCount * 2 > buckets.count {
            rebuildBuckets()
        } else {
            place(slot, hash: hash)
        }
        return UserIndex(raw: UserIndex.namedFlag | UInt32(slot))
    }

    /// The index of `id`, interning it if it is new.
    mutating func index(of id: String) -> UserIndex {
        var id = id
        return id.withUTF8 { index(of: $0) }
    }

    /// The user id of `index`, which this table gave out and has not freed since.
    func userId(of index: UserIndex) -> String {
        guard let slot = index.namedSlot else { return "user_\(index.raw)" }
        return String(decoding: entries[slot].bytes, as: UTF8.self)
    }

    /// Frees every interned id whose slot is not marked in `referenced` (indexed by slot, `slotCount` long).
    mutating func keepOnly(_ referenced: [Bool]) {
        var freed = false
        for slot in entries.indices where entries[slot].isLive && !referenced[slot] {
            entries[slot] = NamedUser(bytes: [], hash: 0, isLive: false)
            freeSlots.append(slot)
            namedCount -= 1
            freed = true
        }
        if freed { rebuildBuckets() }
    }

    /// N for an id `user_N` with N in canonical decimal (no sign, no leading zero, at most 9 digits, so
    /// N < 2^31 and `user_\(N)` gives the same bytes back); nil for any other id.
    static func number(in id: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard id.count >= 6, id.count <= 14, id[0] == 0x75, id[1] == 0x73, id[2] == 0x65, id[3] == 0x72,
            id[4] == 0x5F, id[5] != 0x30 || id.count == 6
        else { return nil }
        var number: UInt32 = 0
        // An index loop over the pointer: iterating a slice allocates in unoptimized builds.
        guard let bytes = id.baseAddress else { return nil }
        var index = 5
        while index < id.count {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            number = number * 10 + UInt32(byte - 0x30)
            index += 1
        }
        return number
    }

    // MARK: Hashing

    /// FNV-1a: short ids, rarely hashed (only ids that are not `user_N`), so simplicity wins.
    private static func hash(_ id: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    private func slot(of id: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        guard !buckets.isEmpty else { return nil }
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while buckets[bucket] >= 0 {
            let slot = buckets[bucket]
            if entries[slot].hash == hash, entries[slot].bytes.withUnsafeBufferPointer({ ByteComparison.equals($0, id) }) {
                return slot
            }
            bucket = (bucket + 1) & mask
        }
        return nil
    }

    private mutating func place(_ slot: Int, hash: UInt64) {
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while buckets[bucket] >= 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = slot
    }

    /// Rebuilds the index at twice the live count or more, which also drops freed slots from it.
    private mutating func rebuildBuckets() {
        var size = 16
        while size < namedCount * 4 { size *= 2 }
        buckets = [Int](repeating: -1, count: size)
        for slot in entries.indices where entries[slot].isLive {
            place(slot, hash: entries[slot].hash)
        }
    }
}
