import ArgumentParser

/// `--metrics-port`: where a command serves its figures in Prometheus text format, on every command that has
/// one (generate, detect, monitor, run).
enum MetricsPortOption {
    static let help = ArgumentHelp(
        "Serve the figures in Prometheus text format on this port (/metrics); 0 takes a free one.", valueName: "port")

    /// A TCP port, 0 (any free one) to 65535.
    static func parse(_ text: String) throws -> Int {
        guard let port = Int(text), (0...65_535).contains(port) else {
            throw ValidationError("a TCP port is a whole number from 0 (any free one) to 65535")
        }
        return port
    }
}
