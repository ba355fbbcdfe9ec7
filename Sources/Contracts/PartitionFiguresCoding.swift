/// Per-partition figures in JSON are an object keyed by the partition id (`{"0": 12, "1": 40}`), as in the
/// batch log, rather than the flat key-value array that `JSONEncoder` makes of an integer-keyed dictionary.
extension KeyedEncodingContainer {
    /// Writes `figures` as an object keyed by partition id.
    public mutating func encodePartitionFigures(_ figures: [Int32: Int64], forKey key: Key) throws {
        try encode(Dictionary(uniqueKeysWithValues: figures.map { (String($0.key), $0.value) }), forKey: key)
    }
}

extension KeyedDecodingContainer {
    /// Reads an object keyed by partition id; a key that is not an integer is an error.
    public func decodePartitionFigures(forKey key: Key) throws -> [Int32: Int64] {
        var figures: [Int32: Int64] = [:]
        for (name, value) in try decode([String: Int64].self, forKey: key) {
            guard let partition = Int32(name) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "partition '\(name)' is not an integer")
            }
            figures[partition] = value
        }
        return figures
    }
}
