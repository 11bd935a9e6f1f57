import Dispatch

/// Runs units of work on several threads and hands their output to the calling thread in
/// unit order, so what comes out is exactly what running the units one after another
/// would give.
///
/// Workers take units in order, never more than `2 × threads` ahead of the one the caller
/// is reading. Each unit's output goes through its own ``Channel`` of at most `capacity`
/// items, and a worker that fills it waits, so memory stays bounded whatever the input:
/// at most `2 × threads × capacity` items are queued.
///
/// ```swift
/// try OrderedWorkers.run(units: files.count, threads: 2, capacity: 256,
///                        makeState: { Scanner(rules: rules) },
///                        work: { scanner, unit, channel in /* channel.send(…) */ },
///                        consume: { unit, item in /* write it */ })
/// ```
enum OrderedWorkers {
    /// Runs `work` for units `0..<units` on `threads` threads (each with its own state from
    /// `makeState`, made on that thread) and calls `consume` on this thread with every item
    /// sent, unit after unit. If `consume` throws, the workers are told to stop (their
    /// `send` returns false), waited for, and the error is rethrown.
    static func run<State, Item>(units: Int, threads: Int, capacity: Int,
                                 makeState: @escaping @Sendable () -> State,
                                 work: @escaping @Sendable (State, Int, Channel<Item>) -> Void,
                                 consume: (Int, Item) throws -> Void) rethrows {
        let channels = (0..<units).map { _ in Channel<Item>(capacity: capacity) }
        let threads = max(1, min(threads, units))
        let dispenser = UnitDispenser(units: units, window: 2 * threads)
        let workers = DispatchGroup()
        for _ in 0..<threads {
            DispatchQueue.global().async(group: workers) {
                let state = makeState()
                while let unit = dispenser.take() {
                    let channel = channels[unit]
                    if !channel.isCancelled { work(state, unit, channel) }
                    channel.finish()
                }
            }
        }
        defer { workers.wait() }
        do {
            for (unit, channel) in channels.enumerated() {
                while let item = channel.receive() { try consume(unit, item) }
                dispenser.consumed(unit)
            }
        } catch {
            dispenser.cancel()
            for channel in channels { channel.cancel() }
            throw error
        }
    }
}

/// Hands out units 0, 1, 2, … to threads, each once, never more than `window` past the
/// first unit the caller has not consumed yet.
private final class UnitDispenser: @unchecked Sendable {
    // SAFETY: every stored property but the constants is only touched with `lock` held.
    private let lock = Lock()
    private let units: Int
    private let window: Int
    private var next = 0
    private var firstUnconsumed = 0
    private var cancelled = false

    init(units: Int, window: Int) {
        self.units = units
        self.window = max(1, window)
    }

    /// The next unit, waiting while it is too far ahead; nil when all are taken or the
    /// run was cancelled.
    func take() -> Int? {
        lock.withLock {
            while next < units && next >= firstUnconsumed + window && !cancelled { lock.wait() }
            guard next < units, !cancelled else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Says the caller has read all of `unit`'s output.
    func consumed(_ unit: Int) {
        lock.withLock {
            firstUnconsumed = unit + 1
            lock.broadcast()
        }
    }

    /// Stops handing out units.
    func cancel() {
        lock.withLock {
            cancelled = true
            lock.broadcast()
        }
    }
}

/// A bounded first-in first-out queue from one producer thread to one consumer thread.
/// `send` waits while the queue is full; `receive` waits while it is empty and not
/// finished. Cancelling wakes both sides: `send` then returns false and drops the item.
final class Channel<Item>: @unchecked Sendable {
    // SAFETY: every stored property but `capacity` is only touched with `lock` held.
    private let capacity: Int
    private var items: [Item] = []
    private var head = 0
    private var finished = false
    private var cancelled = false
    private let lock = Lock()

    /// - Parameter capacity: the most items queued at once (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Queues `item`, waiting for room; returns false (dropping it) once cancelled.
    @discardableResult
    func send(_ item: Item) -> Bool {
        lock.withLock {
            while items.count - head >= capacity && !cancelled { lock.wait() }
            guard !cancelled else { return false }
            items.append(item)
            lock.broadcast()
            return true
        }
    }

    /// Says no more items will come.
    func finish() {
        lock.withLock {
            finished = true
            lock.broadcast()
        }
    }

    /// The next item, waiting for one; nil once the producer finished and all were taken,
    /// or once cancelled.
    func receive() -> Item? {
        lock.withLock {
            while head == items.count && !finished && !cancelled { lock.wait() }
            guard head < items.count, !cancelled else { return nil }
            let item = items[head]
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= capacity {
                items.removeFirst(head)  // keep the array at most twice the capacity
                head = 0
            }
            lock.broadcast()
            return item
        }
    }

    /// Stops the channel: a waiting or later `send` returns false, `receive` returns nil.
    func cancel() {
        lock.withLock {
            cancelled = true
            items.removeAll()
            head = 0
            lock.broadcast()
        }
    }

    var isCancelled: Bool { lock.withLock { cancelled } }
}
