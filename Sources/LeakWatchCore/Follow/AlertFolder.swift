/// Folds repeats of one leak: the first finding with a fingerprint is reported, the same
/// fingerprint again within the window is only counted, and when the window closes a
/// roll-up says how many were folded. Nothing is dropped without being counted.
struct AlertFolder {
    /// A closed window in which repeats were folded.
    struct Rollup: Equatable {
        let first: Finding
        /// Findings in the window, the first included.
        let count: Int
        let firstSeen: Double
        let lastSeen: Double
    }

    private struct Window {
        let first: Finding
        var count: Int
        let opened: Double
        var lastSeen: Double
    }

    /// Seconds a window stays open; 0 turns folding off.
    let window: Double
    private var open: [String: Window] = [:]

    init(window: Double) {
        self.window = window
    }

    /// Returns true if `finding`, seen at `now`, is to be reported; false if it was folded.
    mutating func admit(_ finding: Finding, at now: Double) -> Bool {
        guard window > 0 else { return true }
        if var existing = open[finding.fingerprint], now - existing.opened < window {
            existing.count += 1
            existing.lastSeen = now
            open[finding.fingerprint] = existing
            return false
        }
        open[finding.fingerprint] = Window(first: finding, count: 1, opened: now, lastSeen: now)
        return true
    }

    /// Closes the windows older than the window at `now` (all of them when `all`), giving
    /// a roll-up for each that folded something.
    mutating func close(at now: Double, all: Bool = false) -> [Rollup] {
        var rollups: [Rollup] = []
        for (key, window) in open where all || now - window.opened >= self.window {
            open[key] = nil
            if window.count > 1 {
                rollups.append(Rollup(first: window.first, count: window.count, firstSeen: window.opened, lastSeen: window.lastSeen))
            }
        }
        return rollups.sorted { $0.firstSeen < $1.firstSeen }
    }
}
