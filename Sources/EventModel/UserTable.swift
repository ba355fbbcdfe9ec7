import Foundation

/// The users events are spread over: their ids, rendered once, and the distribution they are drawn from.
struct UserTable: Sendable {
    /// `user_NNNN` for every user, by index.
    private var ids = FragmentTable()
    /// `1000 + index` as JSON number bytes, for records where the user id has the wrong type.
    private var numbers = FragmentTable()
    /// For zipf: the cumulative probability of users 0...i; empty for uniform.
    private let cumulative: [Double]

    /// How many users there are.
    let count: Int

    init(count: Int, distribution: UserDistribution) {
        self.count = count
        for index in 0..<count {
            ids.add(UserIDs.name(index: index).utf8)
            numbers.add(String(UserIDs.firstNumber + index).utf8)
        }
        switch distribution {
        case .uniform:
            cumulative = []
        case .zipf(let exponent):
            var sums = [Double](repeating: 0, count: count)
            var total = 0.0
            for rank in 0..<count {
                total += 1 / pow(Double(rank + 1), exponent)
                sums[rank] = total
            }
            cumulative = sums.map { $0 / total }
        }
    }

    /// Draws a user index.
    func draw(using random: inout SplitMix64) -> Int {
        if cumulative.isEmpty { return Int(random.below(UInt64(count))) }
        // The first user whose cumulative probability exceeds a uniform draw: binary search over the table.
        let target = random.unit()
        var low = 0
        var high = count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Appends user `index`'s id (without quotes).
    func writeID(_ index: Int, into buffer: RecordBuffer) {
        ids.write(index, into: buffer)
    }

    /// Appends user `index`'s number as a JSON number.
    func writeNumber(_ index: Int, into buffer: RecordBuffer) {
        numbers.write(index, into: buffer)
    }
}
