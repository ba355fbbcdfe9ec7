import CRdkafka
#if canImport(Glibc)
import Glibc
#endif

/// Creates librdkafka client handles; `rd_kafka_new` takes ownership of the configuration even on failure.
enum ClientHandle {
    static func make(type: rd_kafka_type_t, conf: OpaquePointer) throws(KafkaError) -> OpaquePointer {
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw KafkaError(kind: .client, message: "librdkafka could not create a client: \(detail)")
        }
        return handle
    }
}

/// Milliseconds on a clock that never jumps, for deadlines.
enum MonotonicMilliseconds {
    static var now: Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000 + Int64(time.tv_nsec) / 1_000_000
    }
}
