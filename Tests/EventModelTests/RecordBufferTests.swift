import Contracts
import EventModel
import Testing

@Suite("Record buffers and byte codes")
struct RecordBufferTests {
    @Test("integers are written as Swift prints them, extremes included", arguments: [
        Int64(0), 7, -7, 10, 99, 100, 1_769_000_000_123, -1_769_000_000_123, .max, .min,
    ])
    func decimal(value: Int64) {
        let buffer = RecordBuffer(capacity: 1)
        buffer.append("[")
        buffer.append(decimal: value)
        buffer.append(byte: UInt8(ascii: "]"))
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "[\(value)]")
    }

    @Test("the buffer grows past its capacity, keeps its bytes, and empties without shrinking")
    func growth() {
        let buffer = RecordBuffer(capacity: 16)
        let text = String(repeating: "abcdefghij", count: 100)
        text.utf8.withContiguousStorageIfAvailable { buffer.append(UnsafeRawBufferPointer($0)) }
        #expect(buffer.count == 1_000)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == text)
        let capacity = buffer.capacity
        buffer.truncate(to: 3)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "abc")
        buffer.removeAll()
        #expect(buffer.count == 0)
        #expect(buffer.capacity == capacity)
    }

    @Test("every severity, lateness and malformed kind survives its one-byte code")
    func codes() {
        for severity in Severity.allCases { #expect(Severity(code: severity.code) == severity) }
        for lateness in Lateness.allCases { #expect(Lateness(code: lateness.code) == lateness) }
        for kind in MalformedKind.allCases { #expect(MalformedKind(code: kind.code) == kind) }
        #expect(Set(Severity.allCases.map(\.code)).count == Severity.allCases.count)
        #expect(Set(Lateness.allCases.map(\.code)).count == Lateness.allCases.count)
        #expect(Severity(code: 4) == nil)
        #expect(Lateness(code: 200) == nil)
        #expect(MalformedKind(code: 0) == nil)
    }
}
