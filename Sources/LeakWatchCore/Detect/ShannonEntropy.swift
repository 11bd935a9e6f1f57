import Glibc

/// Shannon entropy of a byte string, as gitleaks computes it for its `entropy` limits:
/// −Σ p·log₂ p over the frequencies of the bytes, in bits per byte (0 for one repeated
/// byte, at most 8).
enum ShannonEntropy {
    static func bitsPerByte(_ bytes: UnsafeRawBufferPointer) -> Double {
        guard !bytes.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        var entropy = 0.0
        for count in counts where count > 0 {
            let probability = Double(count) / total
            entropy -= probability * log2(probability)
        }
        return entropy
    }
}
