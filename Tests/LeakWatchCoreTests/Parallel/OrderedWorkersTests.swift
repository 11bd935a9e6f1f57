import Testing
@testable import LeakWatchCore

@Suite struct OrderedWorkersTests {
    /// Shared between the workers and the test, under a lock.
    final class Record: @unchecked Sendable {
        let lock = Lock()
        var highestStarted = -1
        var started = 0
    }

    @Test func outputComesInUnitOrderAndWorkersStayWithinTheirWindow() {
        // Units of very different sizes, so threads finish out of order.
        let sizes = (0..<200).map { ($0 * 37) % 23 }
        let record = Record()
        var received: [Int] = []
        var furthestAhead = 0
        OrderedWorkers.run(
            units: sizes.count, threads: 4, capacity: 2,
            makeState: { () },
            work: { _, unit, channel in
                record.lock.withLock { record.highestStarted = max(record.highestStarted, unit) }
                for item in 0..<sizes[unit] { channel.send(unit * 100 + item) }
            },
            consume: { unit, item in
                received.append(item)
                furthestAhead = max(furthestAhead, record.lock.withLock { record.highestStarted } - unit)
            })
        #expect(received == sizes.indices.flatMap { unit in (0..<sizes[unit]).map { unit * 100 + $0 } })
        #expect(furthestAhead <= 8, "a worker ran \(furthestAhead) units ahead of the reader")
    }

    struct Stop: Error {}

    @Test func aFailingReaderStopsTheWorkersAndRethrows() {
        let record = Record()
        #expect(throws: Stop.self) {
            try OrderedWorkers.run(
                units: 1000, threads: 2, capacity: 1,
                makeState: { () },
                work: { _, unit, channel in
                    record.lock.withLock { record.started += 1 }
                    var item = 0
                    // Unit 0 ends; the others are endless: only cancelling ends them.
                    while channel.send(item) && (unit > 0 || item < 10) { item += 1 }
                },
                consume: { unit, item in if unit == 1 && item == 5 { throw Stop() } })
        }
        // Returned, so every worker stopped; and few units were started at all.
        #expect(record.lock.withLock { record.started } <= 4)
    }
}
