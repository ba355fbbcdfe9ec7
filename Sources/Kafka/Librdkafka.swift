import CRdkafka
import Foundation

/// Which librdkafka this process loaded, and from where: Tansu needs 2.16 or later (`scripts/setup`
/// installs it beside the build), while Apache Kafka works with older ones.
public enum Librdkafka {
    /// The loaded library's version, such as `2.16.0`.
    public static var version: String { String(cString: rd_kafka_version_str()) }

    /// The loaded library's version as librdkafka's integer `0xMMmmrrxx`.
    public static var versionNumber: Int { Int(rd_kafka_version()) }

    /// Whether the loaded library is at least `major.minor`.
    public static func isAtLeast(major: Int, minor: Int) -> Bool {
        versionNumber >= (major << 24) | (minor << 16)
    }

    /// The file the library was loaded from, as the process's memory map names it (Linux), or nil.
    public static var loadedFrom: String? {
        // /proc files report a size of 0, so read until the end rather than by size.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return nil }
        let maps = String(decoding: data, as: UTF8.self)
        for line in maps.split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = line[slash...]
            if path.split(separator: "/").last?.hasPrefix("librdkafka") == true { return String(path) }
        }
        return nil
    }
}
