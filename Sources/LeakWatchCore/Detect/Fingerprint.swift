/// FNV-1a, 64 bits: a fast, stable, non-cryptographic hash for fingerprints.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    /// The hash folded to 16 bits.
    var folded16: UInt16 {
        UInt16(truncatingIfNeeded: value ^ (value >> 16) ^ (value >> 32) ^ (value >> 48))
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

enum Fingerprint {
    /// `ruleID:` + 16 hex digits of FNV-1a 64 over the rule id and `match`, where each
    /// of `secrets` (ranges within `match`'s subject) contributes only a 16-bit digest,
    /// and every run of digits outside them counts as one `0`, so timestamps, ports,
    /// process ids and line numbers do not change it: the same leak seen again, in a
    /// rotated file or on another line, has the same fingerprint.
    ///
    /// The 16-bit digest keeps different secrets apart with high probability (1 in
    /// 65,536 collide) while giving a reader of the output nothing to brute-force: every
    /// 9-digit debugger PIN, say, maps onto one of 65,536 values, each shared by some
    /// 15,000 PINs.
    static func make(ruleID: String, line: UnsafeRawBufferPointer, match: ByteRange, secrets: [ByteRange]) -> String {
        var hash = FNV1a64()
        hash.add(ruleID.utf8)
        hash.add(CollectionOfOne(0))
        var position = match.start
        for secret in secrets.sorted(by: { $0.start < $1.start }) where secret.end > position && secret.start < match.end {
            let start = max(secret.start, position)
            addMasked(UnsafeRawBufferPointer(rebasing: line[position..<start]), to: &hash)
            var digest = FNV1a64()
            digest.add(line[secret.start..<secret.end])
            hash.add(FNV1a64.hex(UInt64(digest.folded16), digits: 4).utf8)
            position = min(secret.end, match.end)
        }
        if position < match.end { addMasked(UnsafeRawBufferPointer(rebasing: line[position..<match.end]), to: &hash) }
        return ruleID + ":" + FNV1a64.hex(hash.value, digits: 16)
    }

    /// Adds `bytes` to `hash` with every run of ASCII digits reduced to one `0`.
    static func addMasked(_ bytes: UnsafeRawBufferPointer, to hash: inout FNV1a64) {
        var inDigits = false
        for byte in bytes {
            let isDigit = (0x30...0x39).contains(byte)
            if isDigit && inDigits { continue }
            inDigits = isDigit
            hash.add(CollectionOfOne(isDigit ? UInt8(ascii: "0") : byte))
        }
    }
}
