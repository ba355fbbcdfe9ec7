import Contracts

/// Writes one worker's events: the JSON value and the key of event `sequence`, into caller-owned buffers,
/// returning the event's facts.
///
/// Each event draws from its own generator, seeded from the worker's stream and the sequence number, so an
/// event is a pure function of (settings, worker, sequence, scheduled time, whether it carries the term):
/// the same inputs give the same bytes in any order, and a validator could regenerate any one of them.
/// Everything an event is made of is rendered when the synthesizer is built; writing one allocates nothing.
public struct EventSynthesizer: Sendable {
    /// The settings the events follow, checked.
    public let settings: GeneratorSettings
    /// The worker whose stream this is.
    public let worker: Int

    private let eventSeed: UInt64
    private let catalog: ContentCatalog
    private let users: UserTable
    /// `10.x.y.z` addresses drawn once from the worker's stream.
    private let addresses: FragmentTable
    private let severityCumulative: [Double]
    private let variantCumulative: [Double]
    /// Among records without the term, the chance of a malformed one, and of a malformed or decoy one.
    private let malformedBelow: Double
    private let malformedOrDecoyBelow: Double
    private let lateBounds: ClosedRange<Int64>
    private let malformedKinds: [MalformedKind]

    static let addressCount = 1_024

    /// Checks `settings` and renders everything worker `worker` will write.
    public init(settings: GeneratorSettings, worker: Int) throws(SettingError) {
        try settings.validate()
        guard worker >= 0 else {
            throw SettingError(setting: "worker index", input: "\(worker)", reason: "must not be negative")
        }
        let spellings = try TermSpellings(term: settings.crashTerm)
        if settings.decoyFraction > 0, spellings.decoys.isEmpty {
            throw SettingError(setting: "--crash-term", input: settings.crashTerm, reason: "has no decoy, so --decoy-fraction must be 0")
        }
        let catalog = try ContentCatalog(spellings: spellings)
        if settings.decoyFraction > 0, catalog.decoyLines.isEmpty {
            throw SettingError(setting: "--crash-term", input: settings.crashTerm, reason: "every decoy line contains it, so --decoy-fraction must be 0")
        }
        for (index, variant) in TermVariant.allCases.enumerated() where catalog.termLines[index].isEmpty && settings.termVariants.weights[index] > 0 {
            throw SettingError(setting: "--term-variants", input: settings.termVariants.description, reason: "no log line can carry the \(variant.rawValue) spelling")
        }
        self.settings = settings
        self.worker = worker
        self.catalog = catalog
        eventSeed = RandomStream.events.seed(run: settings.seed, worker: worker)
        users = UserTable(count: settings.users, distribution: settings.userDistribution)

        var addressRandom = SplitMix64(seed: RandomStream.addresses.seed(run: settings.seed, worker: worker))
        var addresses = FragmentTable()
        for _ in 0..<Self.addressCount {
            let octets = (0..<3).map { _ in addressRandom.below(256) }
            addresses.add("10.\(octets[0]).\(octets[1]).\(max(octets[2], 1))".utf8)
        }
        self.addresses = addresses

        severityCumulative = Self.cumulative(settings.severityWeights.weights)
        variantCumulative = Self.cumulative(settings.termVariants.weights)
        let share = settings.termFreeShare
        malformedBelow = share > 0 ? settings.malformedFraction / share : 0
        malformedOrDecoyBelow = share > 0 ? (settings.malformedFraction + settings.decoyFraction) / share : 0
        lateBounds = settings.lateFraction > 0 ? try settings.lateClass.bounds(delayMs: settings.watermarkDelayMs, windowMs: settings.windowMs) : 0...0
        malformedKinds = settings.malformedKinds.kinds
    }

    /// Writes event `sequence`, scheduled at `scheduledMs` (epoch milliseconds), into `value` and `key`
    /// (both emptied first). `carriesTerm` comes from the crash-term placement: such an event carries the term
    /// and is never malformed or a decoy.
    public func synthesize(sequence: UInt64, scheduledMs: Int64, carriesTerm: Bool, value: RecordBuffer, key: RecordBuffer) -> EventFacts {
        var random = SplitMix64(seed: eventSeed ^ SplitMix64.mix(sequence))
        let user = users.draw(using: &random)
        let severity = Severity(code: UInt8(Self.pick(severityCumulative, random.unit()))) ?? .low
        let address = Int(random.below(UInt64(Self.addressCount)))
        var facts = EventFacts(
            sequence: sequence, scheduledMs: scheduledMs, eventTimeMs: scheduledMs, userIndex: UInt32(user),
            severity: severity, flags: [], malformed: nil, lateness: .onTime)
        key.removeAll()
        users.writeID(user, into: key)

        let line: ContentCatalog.Line
        if carriesTerm {
            let lines = catalog.termLines[Self.pick(variantCumulative, random.unit())]
            line = lines[Int(random.below(UInt64(lines.count)))]
        } else {
            let kind = random.unit()
            if kind < malformedBelow {
                let malformed = malformedKinds[Int(random.below(UInt64(malformedKinds.count)))]
                writeMalformed(malformed, scheduledMs: scheduledMs, user: user, severity: severity, address: address, random: &random, into: value)
                facts.malformed = malformed
                return facts
            }
            let lines = kind < malformedOrDecoyBelow ? catalog.decoyLines : catalog.plain
            line = lines[Int(random.below(UInt64(lines.count)))]
        }
        facts.flags = line.flags
        if settings.lateFraction > 0, random.unit() < settings.lateFraction {
            // Saturating, so that no scheduled time a caller passes can trap.
            let (eventTime, overflow) = scheduledMs.subtractingReportingOverflow(random.within(lateBounds))
            facts.eventTimeMs = overflow ? .min : eventTime
            facts.lateness = settings.lateClass.lateness
        }
        var writer = ValueWriter(buffer: value)
        writer.begin()
        writer.field("\"timestamp\": ")
        value.append(decimal: facts.eventTimeMs)
        writeCommonFields(&writer, status: line.status, severity: severity, address: address, user: user)
        writeContent(&writer, line)
        writer.end()
        return facts
    }

    private func writeMalformed(
        _ kind: MalformedKind, scheduledMs: Int64, user: Int, severity: Severity, address: Int,
        random: inout SplitMix64, into value: RecordBuffer
    ) {
        let plain = catalog.plain[Int(random.below(UInt64(catalog.plain.count)))]
        var writer = ValueWriter(buffer: value)
        writer.begin()
        switch kind {
        case .invalidJSON:
            writer.field("\"timestamp\": ")
            value.append(decimal: scheduledMs)
            writeCommonFields(&writer, status: plain.status, severity: severity, address: address, user: user)
            writeContent(&writer, plain)
            writer.end()
            // Any proper prefix of a JSON object lacks its closing brace, so no parser accepts it.
            value.truncate(to: 1 + Int(random.below(UInt64(value.count - 1))))
        case .missingField:
            let missing = random.below(4)
            if missing != 0 {
                writer.field("\"timestamp\": ")
                value.append(decimal: scheduledMs)
            }
            writer.field("\"status\": \"")
            catalog.text.write(plain.status, into: value)
            value.append("\"")
            if missing != 1 { writeSeverity(&writer, severity) }
            writeAddress(&writer, address)
            if missing != 2 { writeUser(&writer, user) }
            if missing != 3 { writeContent(&writer, plain) }
            writer.end()
        case .wrongType:
            let wrong = random.below(3)
            writer.field("\"timestamp\": ")
            if wrong == 0 { value.append("\"") }
            value.append(decimal: scheduledMs)
            if wrong == 0 { value.append("\"") }
            writer.field("\"status\": \"")
            catalog.text.write(plain.status, into: value)
            value.append("\"")
            if wrong == 1 {
                writer.field("\"severity\": ")
                value.append(decimal: Int64(severity.code))
            } else {
                writeSeverity(&writer, severity)
            }
            writeAddress(&writer, address)
            if wrong == 2 {
                writer.field("\"user_id\": ")
                users.writeNumber(user, into: value)
            } else {
                writeUser(&writer, user)
            }
            writeContent(&writer, plain)
            writer.end()
        case .invalidUTF8, .oversize:
            let line = kind == .oversize ? catalog.oversize : catalog.notUTF8[Int(random.below(UInt64(catalog.notUTF8.count)))]
            writer.field("\"timestamp\": ")
            value.append(decimal: scheduledMs)
            writeCommonFields(&writer, status: line.status, severity: severity, address: address, user: user)
            writeContent(&writer, line)
            writer.end()
        }
    }

    /// Status, severity, source address and user, in the schema's order.
    private func writeCommonFields(_ writer: inout ValueWriter, status: Int, severity: Severity, address: Int, user: Int) {
        writer.field("\"status\": \"")
        catalog.text.write(status, into: writer.buffer)
        writer.buffer.append("\"")
        writeSeverity(&writer, severity)
        writeAddress(&writer, address)
        writeUser(&writer, user)
    }

    private func writeSeverity(_ writer: inout ValueWriter, _ severity: Severity) {
        writer.field("\"severity\": \"")
        switch severity {
        case .low: writer.buffer.append("Low\"")
        case .medium: writer.buffer.append("Medium\"")
        case .high: writer.buffer.append("High\"")
        case .critical: writer.buffer.append("Critical\"")
        }
    }

    private func writeAddress(_ writer: inout ValueWriter, _ address: Int) {
        writer.field("\"source_ip\": \"")
        addresses.write(address, into: writer.buffer)
        writer.buffer.append("\"")
    }

    private func writeUser(_ writer: inout ValueWriter, _ user: Int) {
        writer.field("\"user_id\": \"")
        users.writeID(user, into: writer.buffer)
        writer.buffer.append("\"")
    }

    private func writeContent(_ writer: inout ValueWriter, _ line: ContentCatalog.Line) {
        writer.field("\"content\": \"")
        catalog.text.write(line.fragment, into: writer.buffer)
        writer.buffer.append("\"")
    }

    /// Cumulative shares of `weights` (at least one positive). From the last positive weight on, the share is
    /// exactly 1, so rounding can never let a draw fall through to a trailing zero-weight entry.
    private static func cumulative(_ weights: [Double]) -> [Double] {
        let total = weights.reduce(0, +)
        var running = 0.0
        var shares = weights.map { weight in
            running += weight
            return running / total
        }
        let lastPositive = weights.lastIndex { $0 > 0 } ?? shares.count - 1
        for index in lastPositive..<shares.count { shares[index] = 1 }
        return shares
    }

    /// The first index whose cumulative share exceeds `draw` (in [0, 1)); a zero weight is never picked.
    private static func pick(_ cumulative: [Double], _ draw: Double) -> Int {
        var index = 0
        while index < cumulative.count - 1, cumulative[index] <= draw { index += 1 }
        return index
    }
}

/// Writes a JSON object's fields into a record buffer, putting the separators between them.
struct ValueWriter {
    let buffer: RecordBuffer
    private var hasField = false

    init(buffer: RecordBuffer) {
        self.buffer = buffer
    }

    mutating func begin() {
        buffer.removeAll()
        buffer.append("{")
        hasField = false
    }

    /// Starts a field; `opening` is the quoted name, the colon and whatever opens the value.
    mutating func field(_ opening: StaticString) {
        if hasField { buffer.append(", ") }
        hasField = true
        buffer.append(opening)
    }

    func end() {
        buffer.append("}")
    }
}
