import Contracts
import Yams

/// Strict reading of one YAML mapping: typed values with errors that name file, line and dotted key (or the
/// `--set` that gave the value), and a final check that refuses keys nobody read (a misspelt key must not be
/// silently ignored). The line of every key read is noted in `origins`, for checks made after decoding.
struct YAMLFields {
    let origins: ScenarioOrigins
    let path: String
    let mapping: Node.Mapping
    private var read: Set<String> = []

    init(origins: ScenarioOrigins, path: String, node: Node) throws(ScenarioError) {
        guard case .mapping(let mapping) = node else {
            throw Self.error(at: path, origins: origins, line: node.mark?.line, "expected a mapping of keys to values")
        }
        self.origins = origins
        self.path = path
        self.mapping = mapping
    }

    /// An error about the mapping at `path` as a whole (the top level's has no key).
    private static func error(at path: String, origins: ScenarioOrigins, line: Int?, _ reason: String) -> ScenarioError {
        path.isEmpty ? ScenarioError(source: origins.file, line: line, key: nil, reason: reason) : origins.error(path, line: line, reason)
    }

    /// The dotted key of `name` in this mapping.
    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// An error about `name`, at the line of `node` (nil: this mapping's).
    func error(_ name: String, _ node: Node?, _ reason: String) -> ScenarioError {
        origins.error(key(name), line: (node ?? .mapping(mapping)).mark?.line, reason)
    }

    private mutating func node(_ name: String) -> Node? {
        read.insert(name)
        guard let (keyNode, value) = mapping.first(where: { $0.key.string == name }) else { return nil }
        origins.record(key(name), line: keyNode.mark?.line)
        return value
    }

    private mutating func scalar(_ name: String) throws(ScenarioError) -> (String, Node)? {
        guard let node = node(name) else { return nil }
        guard case .scalar(let scalar) = node else { throw error(name, node, "expected a single value") }
        return (scalar.string, node)
    }

    mutating func string(_ name: String) throws(ScenarioError) -> String? {
        try scalar(name)?.0
    }

    mutating func int(_ name: String, in range: ClosedRange<Int>) throws(ScenarioError) -> Int? {
        guard let (text, node) = try scalar(name) else { return nil }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error(name, node, "expected a whole number, got '\(text)'")
        }
        guard range.contains(value) else {
            throw error(name, node, "\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    mutating func unsigned(_ name: String) throws(ScenarioError) -> UInt64? {
        guard let (text, node) = try scalar(name) else { return nil }
        guard let value = UInt64(text.replacingOccurrences(of: "_", with: "")) else {
            throw error(name, node, "expected a non-negative whole number, got '\(text)'")
        }
        return value
    }

    mutating func fraction(_ name: String) throws(ScenarioError) -> Double? {
        guard let (text, node) = try scalar(name) else { return nil }
        guard let value = Double(text), value >= 0, value <= 1 else {
            throw error(name, node, "expected a fraction between 0 and 1, got '\(text)'")
        }
        return value
    }

    mutating func durationMs(_ name: String, minimum: Int64 = 0) throws(ScenarioError) -> Int64? {
        guard let (text, node) = try scalar(name) else { return nil }
        let value: Int64
        do {
            value = try DurationText.milliseconds(text)
        } catch {
            throw self.error(name, node, error.description)
        }
        guard value >= minimum else {
            throw self.error(name, node, "must be at least \(DurationText.render(milliseconds: minimum)), got '\(text)'")
        }
        return value
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws(ScenarioError) -> T?
    where T.RawValue == String {
        guard let (text, node) = try scalar(name) else { return nil }
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(name, node, "'\(text)' is not one of: \(allowed)")
        }
        return value
    }

    mutating func strings(_ name: String) throws(ScenarioError) -> [String]? {
        guard let node = node(name) else { return nil }
        switch node {
        case .scalar(let scalar): return [scalar.string]
        case .sequence(let sequence):
            var values: [String] = []
            for element in sequence {
                guard case .scalar(let scalar) = element else { throw error(name, element, "expected a list of values") }
                values.append(scalar.string)
            }
            return values
        default: throw error(name, node, "expected a value or a list of values")
        }
    }

    mutating func section(_ name: String) throws(ScenarioError) -> YAMLFields? {
        guard let node = node(name) else { return nil }
        return try YAMLFields(origins: origins, path: key(name), node: node)
    }

    mutating func sections(_ name: String) throws(ScenarioError) -> [YAMLFields] {
        guard let node = node(name) else { return [] }
        guard case .sequence(let sequence) = node else { throw error(name, node, "expected a list") }
        var sections: [YAMLFields] = []
        for (index, element) in sequence.enumerated() {
            let path = "\(key(name))[\(index)]"
            origins.record(path, line: element.mark?.line)
            sections.append(try YAMLFields(origins: origins, path: path, node: element))
        }
        return sections
    }

    /// Refuses keys that were never read, naming the first with its line and the keys that exist.
    func finish() throws(ScenarioError) {
        let known = read.sorted()
        for (keyNode, _) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw Self.error(at: path, origins: origins, line: keyNode.mark?.line, "keys must be plain names")
            }
            if !read.contains(scalar.string) {
                throw origins.error(key(scalar.string), line: keyNode.mark?.line, "unknown key (known here: \(known.joined(separator: ", ")))")
            }
        }
    }
}
