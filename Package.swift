// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "LeakWatch",
    products: [
        .executable(name: "leakwatch", targets: ["LeakWatch"]),
        .library(name: "LeakWatchCore", targets: ["LeakWatchCore"]),
    ],
    targets: [
        // C libraries from Debian's -dev packages. The module maps carry the `link` lines,
        // so no extra linker flags are needed in this manifest.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Brotli and Zstandard (`Content-Encoding: br`, `zstd`) and YAJL, a streaming JSON
        // parser, so a HAR file is read one entry at a time, not as one parsed document.
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CBrotli",
            pkgConfig: "libbrotlidec",
            providers: [.apt(["libbrotli-dev"])]
        ),
        // bzip2 and xz for rotated logs compressed by logrotate's compresscmd. Debian's
        // libbz2-dev has no pkg-config file; the module map links it.
        .systemLibrary(
            name: "CBzip2",
            providers: [.apt(["libbz2-dev"])]
        ),
        .systemLibrary(
            name: "CLzma",
            pkgConfig: "liblzma",
            providers: [.apt(["liblzma-dev"])]
        ),
        // Hyperscan finds every rule's keywords in one SIMD pass over a buffer (its literal
        // API); PCRE2 then runs only on the lines where a keyword was found.
        .systemLibrary(
            name: "CHyperscan",
            pkgConfig: "libhs",
            providers: [.apt(["libhyperscan-dev"])]
        ),
        .systemLibrary(
            name: "CYajl",
            pkgConfig: "yajl",
            providers: [.apt(["libyajl-dev"])]
        ),
        // Turns patterns/*.rules into Swift source at build time, so the built-in rules
        // ship inside the binary and `patterns/` stays their only copy.
        .executableTarget(name: "EmbedRules", path: "Sources/EmbedRules"),
        .plugin(
            name: "EmbedRulesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedRules"]
        ),
        .target(
            name: "LeakWatchCore",
            dependencies: ["CPCRE2", "CZlib", "CZstd", "CBrotli", "CBzip2", "CLzma", "CYajl", "CHyperscan"],
            plugins: ["EmbedRulesPlugin"]
        ),
        .executableTarget(name: "LeakWatch", dependencies: ["LeakWatchCore"]),
        // Fixtures/ holds captures that are broken on purpose (read by path, not bundled).
        .testTarget(name: "LeakWatchCoreTests", dependencies: ["LeakWatchCore"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
