/// Pre-rendered byte strings kept end to end in one array, so that writing one into a record is a single
/// copy with no `String` in sight.
struct FragmentTable: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]

    /// How many fragments the table holds.
    var count: Int { starts.count - 1 }

    /// Adds a fragment and returns its index.
    @discardableResult
    mutating func add(_ fragment: some Sequence<UInt8>) -> Int {
        bytes.append(contentsOf: fragment)
        starts.append(bytes.count)
        return count - 1
    }

    /// The bytes of fragment `index`.
    subscript(index: Int) -> ArraySlice<UInt8> {
        bytes[starts[index]..<starts[index + 1]]
    }

    /// Appends fragment `index` to `buffer`.
    func write(_ index: Int, into buffer: RecordBuffer) {
        let start = starts[index]
        let end = starts[index + 1]
        bytes.withUnsafeBytes { all in
            buffer.append(UnsafeRawBufferPointer(rebasing: all[start..<end]))
        }
    }
}
