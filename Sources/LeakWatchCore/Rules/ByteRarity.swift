import Glibc

/// How rare each byte is in the text LeakWatch reads, for choosing the keywords derived
/// from a regex (``RequiredLiterals``): a keyword with a rare byte (`@`) makes fewer
/// candidate lines than a longer one made of common bytes (`http://`).
///
/// The table holds, per byte, -10 × log2 of its share of the text files under `samples/`
/// (real logs, HTTP captures and traces, 1.7 MB), add-one smoothed, ASCII case folded
/// (the prefilter ignores case). `scripts/byte-rarity.py` prints it again.
enum ByteRarity {
    /// The rarity of `byte` in bits (a byte with 1/1024 of the text has 10).
    static func bits(_ byte: UInt8) -> Double {
        Double(tenths[Int(byte)]) / 10
    }

    /// How selective a literal is, in bits: its rarest byte, plus log2 of its length
    /// (longer literals of the same bytes match less often).
    static func selectivity(_ literal: [UInt8]) -> Double {
        guard let rarest = literal.map(bits).max() else { return 0 }
        return rarest + log2(Double(literal.count))
    }

    private static let tenths: [UInt8] = [
        207, 207, 207, 207, 207, 207, 207, 207, 207, 146,  55, 207, 207, 103, 207, 207,
        207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 130, 207, 207, 207, 207,
         23, 108,  55,  88, 108, 101,  79,  80,  76,  76,  91, 103,  68,  64,  61,  59,
         68,  68,  74,  78,  84,  86,  86,  82,  87,  90,  64,  75,  62,  67,  62, 110,
        132,  47,  68,  54,  55,  39,  63,  65,  61,  49,  94,  76,  51,  64,  48,  49,
         53,  91,  48,  46,  44,  61,  70,  73,  76,  71,  90,  90,  90,  91,  64,  73,
         79,  47,  68,  54,  55,  39,  63,  65,  61,  49,  94,  76,  51,  64,  48,  49,
         53,  91,  48,  46,  44,  61,  70,  73,  76,  71,  90,  84,  99,  84, 101, 207,
        147, 175, 174, 153, 172, 177, 163, 172, 175, 179, 179, 184, 175, 175, 177, 177,
        175, 175, 164, 170, 158, 181, 175, 181, 174, 157, 174, 175, 174, 175, 172, 174,
        165, 172, 181, 179, 175, 171, 165, 179, 181, 171, 175, 175, 177, 179, 175, 174,
        174, 177, 181, 172, 181, 184, 177, 135, 181, 177, 174, 177, 164, 171, 169, 187,
        207, 207, 134, 135, 149, 148, 197, 207, 184, 197, 207, 207, 207, 207, 149, 167,
        148, 159, 191, 207, 207, 207, 207, 207, 164, 174, 207, 207, 207, 207, 207, 207,
        207, 156, 145, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207,
        207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207, 207,
    ]
}
