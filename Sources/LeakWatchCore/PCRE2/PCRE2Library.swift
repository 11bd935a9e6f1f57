import CPCRE2

/// Facts about the PCRE2 library this binary is linked with.
public enum PCRE2Library {
    /// The library's version, e.g. `10.42 2022-12-11`.
    public static var version: String {
        var buffer = [UInt8](repeating: 0, count: 64)
        let length = buffer.withUnsafeMutableBytes {
            pcre2_config_8(UInt32(PCRE2_CONFIG_VERSION), $0.baseAddress)
        }
        guard length > 1 else { return "unknown" }
        return String(decoding: buffer[..<Int(length - 1)], as: UTF8.self)
    }

    /// Returns true if and only if the library was built with JIT support for this CPU.
    public static var isJITAvailable: Bool {
        var available: UInt32 = 0
        _ = pcre2_config_8(UInt32(PCRE2_CONFIG_JIT), &available)
        return available == 1
    }
}
