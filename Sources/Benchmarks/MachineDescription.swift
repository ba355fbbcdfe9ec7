import Foundation
import Kafka

/// The machine and build a benchmark ran on, so that its numbers can be read in context.
public struct MachineDescription: Sendable, Codable {
    public var cpu: String
    public var logicalCores: Int
    /// Physical memory in GiB (2^30 bytes).
    public var memoryGigabytes: Double
    public var operatingSystem: String
    public var librdkafka: String
    /// `release` or `debug`: debug numbers measure the debug build more than the design.
    public var build: String
    /// The load average (1 minute) when the run started: a busy machine shows here.
    public var loadAverage: Double

    /// Reads this machine's description from `/proc` and `/etc/os-release` where they exist.
    public static func current() -> MachineDescription {
        MachineDescription(
            cpu: field("model name", in: "/proc/cpuinfo") ?? "unknown CPU",
            logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            memoryGigabytes: (Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30) * 10).rounded() / 10,
            operatingSystem: field("PRETTY_NAME", in: "/etc/os-release", separator: "=")?.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                ?? ProcessInfo.processInfo.operatingSystemVersionString,
            librdkafka: Librdkafka.version,
            build: isDebugBuild ? "debug" : "release",
            loadAverage: loadAverage())
    }

    /// One line for a table caption.
    public var summary: String {
        "\(cpu), \(logicalCores) logical cores, \(memoryGigabytes) GiB, \(operatingSystem), librdkafka \(librdkafka), \(build) build, load \(String(format: "%.2f", loadAverage)) at the start"
    }

    private static var isDebugBuild: Bool {
        #if DEBUG
        true
        #else
        false
        #endif
    }

    private static func field(_ name: String, in path: String, separator: Character = ":") -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: separator, maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    private static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return 0 }
        return Double(text.split(separator: " ").first ?? "") ?? 0
    }
}
