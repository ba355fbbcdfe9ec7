extension ManifestRecord {
    /// The record as one JSON line (for `windtunnel manifest inspect --jsonl`), with the worker that wrote it.
    /// Keys are snake_case; `malformed` is null for a well-formed event, and the ack fields appear as they apply.
    public func jsonLine(worker: Int) -> String {
        let event = event
        var line = "{\"worker\":\(worker),\"sequence\":\(event.sequence),\"scheduled_ms\":\(event.scheduledMs)"
        line += ",\"event_time_ms\":\(event.eventTimeMs),\"send_time_us\":\(sendTimeUs)"
        line += ",\"user_id\":\"\(event.userID)\",\"user_index\":\(event.userIndex),\"severity\":\"\(event.severity.rawValue)\""
        line += ",\"term_case_insensitive\":\(event.flags.contains(.termCaseInsensitive))"
        line += ",\"term_case_sensitive\":\(event.flags.contains(.termCaseSensitive)),\"decoy\":\(event.flags.contains(.decoy))"
        line += ",\"tail\":\(event.flags.contains(.tail))"
        line += ",\"malformed\":" + (event.malformed.map { "\"\($0.rawValue)\"" } ?? "null")
        line += ",\"lateness\":\"\(event.lateness.rawValue)\",\"ack\":\"\(acknowledgement.status)\""
        switch acknowledgement {
        case .acked(let partition, let offset, let atUs):
            line += ",\"partition\":\(partition),\"offset\":\(offset),\"ack_time_us\":\(atUs)"
        case .failed(let errorCode, let atUs):
            line += ",\"error_code\":\(errorCode),\"ack_time_us\":\(atUs)"
        case .unknown:
            break
        }
        return line + "}"
    }
}
