import EmbeddedBroker
import Foundation
import Kafka
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Clear errors for bad input")
struct FailureTests {
    @Test("a wrong broker address fails within the timeout and names the address")
    func wrongBrokerAddress() throws {
        guard let port = LocalPort.pickFree() else { Issue.record("no free port"); return }
        let admin = try KafkaAdmin(client: ClientSettings(brokers: "127.0.0.1:\(port)"))
        let started = Date()
        do {
            _ = try admin.brokers(timeoutMs: 1_500)
            Issue.record("a metadata request to a closed port succeeded")
        } catch {
            #expect(error.kind == .brokersUnreachable)
            #expect(error.message.contains("127.0.0.1:\(port)"))
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("an unknown -X property is refused by name")
    func unknownProperty() throws {
        let properties = try ClientSettings.parseProperties(["no.such.property=1"])
        let client = ClientSettings(properties: properties)
        let producerError = #expect(throws: KafkaError.self) { _ = try KafkaProducer(configuration: ProducerConfiguration(client: client)) }
        let consumerError = #expect(throws: KafkaError.self) { _ = try KafkaConsumer(configuration: ConsumerConfiguration(client: client)) }
        let adminError = #expect(throws: KafkaError.self) { _ = try KafkaAdmin(client: client) }
        for error in [producerError, consumerError, adminError] {
            #expect(error?.kind == .configuration)
            #expect(error?.message.contains("no.such.property") == true, "\(String(describing: error))")
        }
    }

    @Test("a property without '=' is refused", arguments: ["acks", "=1"])
    func propertyWithoutValue(text: String) {
        #expect(throws: KafkaError.self) { try ClientSettings.parseProperties([text]) }
    }

    @Test("properties come from $WINDTUNNEL_KAFKA_PROPERTIES, then -X, which wins for the same key")
    func propertiesFromTheEnvironment() throws {
        let environment = [ClientSettings.propertiesVariable: "sasl.username=me\n\nsasl.password=from-env\nacks=all"]
        let resolved = try ClientSettings.resolveProperties(flags: ["sasl.password=from-flag"], environment: environment)
        #expect(resolved == ["sasl.username": "me", "sasl.password": "from-flag", "acks": "all"])
        #expect(try ClientSettings.resolveProperties(flags: ["acks=1"], environment: [:]) == ["acks": "1"])
        #expect {
            try ClientSettings.resolveProperties(flags: [], environment: [ClientSettings.propertiesVariable: "acks=1\nlinger"])
        } throws: { error in
            (error as? KafkaError)?.message.contains("'linger'") == true
                && (error as? KafkaError)?.message.contains(ClientSettings.propertiesVariable) == true
        }
    }

    @Test("secrets are redacted")
    func secretsRedacted() {
        let settings = ClientSettings(properties: ["sasl.password": "hunter2", "sasl.username": "me"])
        #expect(settings.redactedProperties == ["sasl.password=***", "sasl.username=me"])
    }

    @Test("starting a broker on a taken port says so")
    func takenPort() async throws {
        try await withEmbeddedBroker { broker in
            #expect(TansuBroker.status(port: broker.port) == .running(pid: broker.pid))
            do {
                _ = try TansuBroker.start(port: broker.port)
                Issue.record("a second broker started on a taken port")
            } catch let error as BrokerError {
                #expect(error.message.contains("port \(broker.port)"))
            }
        }
    }

    @Test("a port held by another program is reported as taken")
    func portHeldByAnotherProgram() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        #expect(TansuBroker.status(port: port) == .portTakenByAnotherProcess)
        do {
            _ = try TansuBroker.start(port: port)
            Issue.record("a broker started on a port another program holds")
        } catch {
            #expect(error.message == "port \(port) is taken by another process; choose another with --port")
        }
    }

    @Test("stopping a broker that is not running is a clear error")
    func stopNotRunning() throws {
        guard let port = LocalPort.pickFree() else { Issue.record("no free port"); return }
        #expect(TansuBroker.status(port: port) == .stopped)
        do {
            try TansuBroker.stop(port: port)
            Issue.record("stopping a stopped broker succeeded")
        } catch {
            #expect(error.message == "no windtunnel broker is running on port \(port)")
        }
    }

    /// A pid file left behind (a crash, a reboot) may name a process that is not the broker any more: stop
    /// and status must leave it alone.
    @Test("a stale pid file naming another process is not obeyed")
    func stalePidFile() throws {
        guard let port = LocalPort.pickFree() else { Issue.record("no free port"); return }
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["30"]
        try bystander.run()
        defer { bystander.terminate() }
        try FileManager.default.createDirectory(at: TansuBroker.stateDirectory, withIntermediateDirectories: true)
        let pidFile = TansuBroker.stateDirectory.appendingPathComponent("tansu-\(port).pid")
        try String(bystander.processIdentifier).write(to: pidFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: pidFile) }
        #expect(TansuBroker.status(port: port) == .stopped)
        #expect(throws: BrokerError.self) { try TansuBroker.stop(port: port, graceMs: 200) }
        usleep(300_000)
        #expect(bystander.isRunning, "stop signalled a process that is not the broker")
    }

    /// The broker closes its clients' connections when it stops, which leaves them in TIME_WAIT on its port
    /// for a minute: that must not keep a new broker off the port.
    @Test("a stopped broker's port is free again at once, even after clients talked to it")
    func stopFreesPort() throws {
        let broker = try TansuBroker.start()
        let admin = try KafkaAdmin(client: ClientSettings(brokers: broker.bootstrap))
        try admin.createTopic("talk", partitions: 1)
        _ = try admin.partitions(of: "talk")
        try TansuBroker.stop(port: broker.port)
        #expect(TansuBroker.status(port: broker.port) == .stopped, "sockets on the port: \(Self.socketsOn(port: broker.port))")
        let again = try TansuBroker.start(port: broker.port)
        again.stop()
    }

    /// The lines of /proc/net/tcp whose local or remote port is `port` (state in the fourth column), to
    /// tell what holds a port.
    static func socketsOn(port: Int) -> [String] {
        let hex = String(format: ":%04X", port)
        let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").filter { line in
            let columns = line.split(separator: " ")
            return columns.count > 3 && (columns[1].hasSuffix(hex) || columns[2].hasSuffix(hex))
        }.map { $0.split(separator: " ").prefix(4).joined(separator: " ") }
    }

    /// `start` hands the broker over as soon as its process exists, so that a run interrupted during the
    /// start-up can stop it; `start` then fails rather than report a stopped broker ready.
    @Test("a broker stopped while it starts makes start fail and leaves nothing running")
    func stoppedDuringStartUp() throws {
        var launched: TansuBroker?
        do {
            _ = try TansuBroker.start { broker in
                launched = broker
                broker.stop()
            }
            Issue.record("a broker stopped during its start-up was reported ready")
        } catch {
            #expect(error.message.contains("exited during start-up"), "\(error)")
        }
        let broker = try #require(launched)
        #expect(TansuBroker.status(port: broker.port) == .stopped)
    }
}
