/// Finds, in one pass over a run of lines, which rules' keywords occur in each line, so
/// that a rule's regex runs only on lines that hold one of its keywords (gitleaks'
/// keyword check, done for all rules at once).
///
/// It is an Aho-Corasick automaton compiled to a DFA over byte classes: bytes that occur
/// in no keyword share one class, ASCII letters are folded to lowercase by the class map,
/// and `\n` has a class of its own that leads to a marked state, so line ends are found
/// by the same table lookup that finds keywords. Keywords never span lines. States are
/// numbered so that every marked state (a keyword end, or the line end, which is last)
/// comes after every unmarked one: one comparison per byte tells whether to stop.
///
/// - Complexity: building is O(total keyword length × byte classes); scanning is O(n) in
///   the bytes scanned, one table lookup per byte, plus O(1) per keyword occurrence.
public struct KeywordPrefilter: Sendable {
    /// Byte → class. Class 0 is "in no keyword", class 1 is `\n`.
    private let byteClass: [UInt8]
    private let classCount: Int
    /// Row-major `state × class` table. Each entry is the next state's row, that is
    /// `nextState * classCount`, so a lookup needs no multiplication.
    private let transitions: [Int32]
    /// Rows at or past this one belong to marked states.
    private let firstMarkedRow: Int
    /// The row of the line-end state, the last state.
    private let lineEndRow: Int
    /// For marked state `firstMarked + i`, the rules whose keyword ends there:
    /// `rules[ruleStart[i]..<ruleStart[i + 1]]` (empty for the line-end state).
    private let ruleStart: [Int32]
    private let rules: [Int32]

    /// Builds the automaton; `keywords[r]` are rule `r`'s keywords (lowercase; an empty
    /// list means the rule has none, so the prefilter never reports it).
    public init(keywords: [[String]]) {
        // 1. A trie of the keywords, each node knowing the rules whose keyword ends there.
        var children: [[UInt8: Int]] = [[:]]
        var outputs: [Set<Int32>] = [[]]
        for (rule, words) in keywords.enumerated() {
            for word in words where !word.isEmpty {
                var node = 0
                for byte in word.utf8 {
                    let folded = KeywordPrefilter.fold(byte)
                    if let next = children[node][folded] {
                        node = next
                    } else {
                        children.append([:])
                        outputs.append([])
                        children[node][folded] = children.count - 1
                        node = children.count - 1
                    }
                }
                outputs[node].insert(Int32(rule))
            }
        }

        // 2. Byte classes: one per distinct (folded) keyword byte, plus "other" and "\n".
        var classes = [UInt8](repeating: 0, count: 256)
        var next: UInt8 = 2
        classes[0x0A] = 1
        for node in children {
            for byte in node.keys where classes[Int(byte)] == 0 && byte != 0x0A {
                classes[Int(byte)] = next
                next += 1
            }
        }
        for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            classes[Int(upper)] = classes[Int(upper | 0x20)]
        }
        let classCount = Int(next)

        // 3. Failure links in breadth-first order, merging outputs, then the DFA.
        let lineEndState = children.count
        let stateCount = children.count + 1
        var fail = [Int](repeating: 0, count: children.count)
        var delta = [Int](repeating: 0, count: stateCount * classCount)
        var order: [Int] = []
        for byte in 0..<256 where classes[byte] > 1 {
            let cls = Int(classes[byte])
            if let child = children[0][UInt8(byte)] { delta[cls] = child }
        }
        for (_, child) in children[0] { order.append(child) }
        var head = 0
        while head < order.count {
            let node = order[head]
            head += 1
            outputs[node].formUnion(outputs[fail[node]])
            for cls in 2..<classCount {
                delta[node * classCount + cls] = delta[fail[node] * classCount + cls]
            }
            for (byte, child) in children[node] {
                let cls = Int(classes[Int(byte)])
                fail[child] = delta[fail[node] * classCount + cls]
                delta[node * classCount + cls] = child
                order.append(child)
            }
        }
        for state in 0..<stateCount {
            delta[state * classCount + 1] = lineEndState
            delta[state * classCount] = 0
        }
        for cls in 2..<classCount {
            delta[lineEndState * classCount + cls] = delta[cls]
        }

        // 4. Renumber: unmarked states first (the root stays 0), then the states where a
        //    keyword ends, then the line-end state.
        let marked = (0..<children.count).filter { !outputs[$0].isEmpty }
        let unmarked = (0..<children.count).filter { outputs[$0].isEmpty }
        var renumbered = [Int](repeating: 0, count: stateCount)
        for (number, state) in (unmarked + marked + [lineEndState]).enumerated() { renumbered[state] = number }
        var table = [Int32](repeating: 0, count: stateCount * classCount)
        for state in 0..<stateCount {
            for cls in 0..<classCount {
                table[renumbered[state] * classCount + cls] = Int32(renumbered[delta[state * classCount + cls]] * classCount)
            }
        }
        var ruleStart: [Int32] = [0]
        var rules: [Int32] = []
        for state in marked {
            rules += outputs[state].sorted()
            ruleStart.append(Int32(rules.count))
        }
        ruleStart.append(Int32(rules.count))
        self.transitions = table
        self.firstMarkedRow = unmarked.count * classCount
        self.lineEndRow = (stateCount - 1) * classCount
        self.byteClass = classes
        self.classCount = classCount
        self.ruleStart = ruleStart
        self.rules = rules
    }

    /// Reusable per-scanner state for ``scanLines(_:everyLine:scratch:_:)``.
    public struct Scratch {
        var seen: [Int]
        var generation = 0
        /// The rules found for the current line, each once.
        public internal(set) var candidates: [Int32] = []

        public init(ruleCount: Int) {
            seen = [Int](repeating: -1, count: ruleCount)
            candidates.reserveCapacity(ruleCount)
        }
    }

    /// Scans `bytes` and calls `body(lineIndex, lineStart, lineEnd, candidates)` for each
    /// line holding a keyword, or for every line if `everyLine` is true. `lineIndex` is
    /// the 0-based index of the line in `bytes`; `lineEnd` includes the line's `\n`, if it
    /// has one; `candidates` lists each rule whose keyword occurs in the line once.
    public func scanLines(_ bytes: UnsafeRawBufferPointer, everyLine: Bool, scratch: inout Scratch,
                          _ body: (Int, Int, Int, [Int32]) throws -> Void) rethrows {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let count = bytes.count
        try byteClass.withUnsafeBufferPointer { byteClass in
            try transitions.withUnsafeBufferPointer { transitions in
                guard let classes = byteClass.baseAddress, let table = transitions.baseAddress else { return }
                var row = 0
                var lineIndex = 0
                var lineStart = 0
                var index = 0
                while index < count {
                    KeywordPrefilter.advance(base, count, &index, &row, classes, table, firstMarkedRow)
                    if row == lineEndRow {
                        if everyLine || !scratch.candidates.isEmpty {
                            try body(lineIndex, lineStart, index, scratch.candidates)
                        }
                        if !scratch.candidates.isEmpty { scratch.candidates.removeAll(keepingCapacity: true) }
                        scratch.generation += 1
                        lineIndex += 1
                        lineStart = index
                    } else if row >= firstMarkedRow {
                        addRules(ofRow: row, to: &scratch)
                    }
                }
                if lineStart < count, everyLine || !scratch.candidates.isEmpty {
                    try body(lineIndex, lineStart, count, scratch.candidates)
                }
                scratch.candidates.removeAll(keepingCapacity: true)
                scratch.generation += 1
            }
        }
    }

    /// Runs the automaton from `index` until it enters a marked state (a keyword end or
    /// the line end) or the input ends. Kept apart, with nothing but locals, so `row` and
    /// `index` stay in registers: per byte, two loads, an add and a compare.
    @inline(__always)
    private static func advance(_ base: UnsafePointer<UInt8>, _ count: Int, _ index: inout Int, _ row: inout Int,
                                _ classes: UnsafePointer<UInt8>, _ table: UnsafePointer<Int32>, _ firstMarkedRow: Int) {
        var position = index
        var current = row
        while position < count {
            current = Int(table[current &+ Int(classes[Int(base[position])])])
            position &+= 1
            if current >= firstMarkedRow { break }
        }
        index = position
        row = current
    }

    private func addRules(ofRow row: Int, to scratch: inout Scratch) {
        let marked = (row - firstMarkedRow) / classCount
        for index in Int(ruleStart[marked])..<Int(ruleStart[marked + 1]) {
            let rule = Int(rules[index])
            if scratch.seen[rule] != scratch.generation {
                scratch.seen[rule] = scratch.generation
                scratch.candidates.append(Int32(rule))
            }
        }
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
