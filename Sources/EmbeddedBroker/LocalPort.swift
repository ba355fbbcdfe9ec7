#if canImport(Glibc)
import Glibc
#endif

/// TCP ports on the loopback address: is one free, does one accept connections, which one is free now.
public enum LocalPort {
    /// Whether nothing listens on `port` at 127.0.0.1 (binding succeeds). The probe binds as a listener does,
    /// with `SO_REUSEADDR`, so that connections of a broker stopped a moment ago, still in TIME_WAIT, do not
    /// count as the port being taken.
    public static func isFree(_ port: Int) -> Bool {
        withSocket { socket in
            var reuse: Int32 = 1
            setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            var address = loopback(port: port)
            return withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        } ?? false
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(_ port: Int) -> Bool {
        withSocket { socket in
            var address = loopback(port: port)
            return withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        } ?? false
    }

    /// A port the kernel considers free right now (another process may still take it before it is used).
    public static func pickFree() -> Int? {
        withSocket { socket -> Int? in
            var address = loopback(port: 0)
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard bound else { return nil }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) == 0 }
            }
            return named ? Int(UInt16(bigEndian: address.sin_port)) : nil
        } ?? nil
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func withSocket<R>(_ body: (Int32) -> R) -> R? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return body(descriptor)
    }
}
