import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server for Prometheus scrapes: `GET /metrics` answers with the text a closure gives;
/// anything else gets 404. One connection at a time on its own thread: a scrape every few seconds needs no
/// more, and it keeps the monitor free of a web framework.
public final class MetricsServer: @unchecked Sendable {
    // Unchecked: `listener` is set once in init; `stop` only shuts it down, the serving thread closes it.
    /// The port it listens on (the one the system chose when asked for 0).
    public let port: Int
    private let listener: Int32
    private let body: @Sendable () -> String

    /// Listens on all interfaces at `port` (0: any free port) and serves from a background thread.
    public init(port: Int, body: @escaping @Sendable () -> String) throws(MetricsServerError) {
        self.body = body
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw MetricsServerError(port: port, reason: String(cString: strerror(errno))) }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        address.sin_addr.s_addr = INADDR_ANY
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socket, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(socket)
            throw MetricsServerError(port: port, reason: reason)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        listener = socket
        let thread = Thread { [self] in serve() }
        thread.name = "metrics"
        thread.start()
    }

    /// Stops listening: the serving thread's accept fails, and the thread closes the socket and ends. The
    /// socket is not closed here, so that its descriptor number cannot be given to a new socket (another
    /// server's, say) while the thread may still accept on it.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func serve() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return
            }
            answer(connection)
            close(connection)
        }
    }

    private func answer(_ connection: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while request.count < 16_384 {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            request += chunk[0..<count]
            if request.count >= 4, request.suffix(4).elementsEqual([13, 10, 13, 10]) { break }
        }
        let firstLine = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = firstLine.split(separator: " ")
        let found = parts.count >= 2 && parts[0] == "GET" && (parts[1] == "/metrics" || parts[1].hasPrefix("/metrics?"))
        let content = found ? body() : "not found: try /metrics\n"
        let status = found ? "200 OK" : "404 Not Found"
        let response = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            + "Content-Length: \(content.utf8.count)\r\nConnection: close\r\n\r\n\(content)"
        let bytes = Array(response.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { rest in
                rest.baseAddress.map { send(connection, $0, rest.count, Int32(MSG_NOSIGNAL)) } ?? 0
            }
            guard count > 0 else { return }
            sent += count
        }
    }
}

/// The metrics port could not be opened.
public struct MetricsServerError: Error, CustomStringConvertible, Sendable {
    public let port: Int
    public let reason: String

    public var description: String { "--metrics-port \(port): cannot listen (\(reason))" }
}
