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
            dependencies: ["CPCRE2", "CZlib"],
            plugins: ["EmbedRulesPlugin"]
        ),
        .executableTarget(name: "LeakWatch", dependencies: ["LeakWatchCore"]),
        .testTarget(name: "LeakWatchCoreTests", dependencies: ["LeakWatchCore"]),
    ],
    swiftLanguageModes: [.v6]
)
