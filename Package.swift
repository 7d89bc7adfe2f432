// swift-tools-version:6.2
// fabric: provisioning MySQL machines in the cloud as Unix plumbing.
// C modules (sqlite3, curl, mariadb, jansson, expat) -> the core's layers (records, store, HTTP,
// providers, command line) -> one executable holding every tool, which runs the tool it is started
// as (fabric-store, fabric-boot, ...: links to it), as git runs its builtins: one link of the
// release build, and one ~27 MB binary installed, not ten.
import PackageDescription

// A warning in our own code fails a debug build (make build, demo, test), so none creeps in.
// Release builds (make release, install, deb) are left to warn: a newer compiler's new warning
// must not stop a user's install. Dependencies' warnings are SwiftPM's to silence, not ours.
let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v5), .treatAllWarnings(as: .error, .when(configuration: .debug))]
let cWarningsFailDebugBuilds: [CSetting] = [.treatAllWarnings(as: .error, .when(configuration: .debug))]

let package = Package(
    name: "fabric",
    products: [.executable(name: "fabric-tools", targets: ["fabric-tools"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        // A C target rather than a system library: loader.c opens libcurl on first use, so a tool
        // that never speaks HTTP does not load it and its ~30 libraries (~5 ms) at start-up.
        .target(name: "CCurl", path: "Sources/CCurl", publicHeadersPath: ".", cSettings: cWarningsFailDebugBuilds),
        // Opened on first use too (loader.c): only a mysql:// store needs MariaDB Connector/C, so a
        // SQLite user's tools start as fast as before. Headers from libmariadb-dev.
        .target(name: "CMariaDB", path: "Sources/CMariaDB", publicHeadersPath: ".", cSettings: cWarningsFailDebugBuilds),
        .systemLibrary(
            name: "CJansson", pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]),
        // EC2 answers in XML. expat rather than libxml2: a small streaming parser with no
        // dependencies of its own (libxml2 brings ICU, lzma and zlib), so linking it costs the
        // tools nothing measurable at start-up, and the Swift side builds the little tree it needs.
        .systemLibrary(
            name: "CExpat", pkgConfig: "expat",
            providers: [.apt(["libexpat1-dev"])]),
        // The core, in layers whose dependencies point one way, so the compiler holds it:
        // records (with JSON, errors and the system calls they need) at the bottom; the store
        // and HTTP on records; the providers on those three; the command-line layer on all.
        .target(name: "FabricRecords", dependencies: ["CJansson"], swiftSettings: swiftSettings),
        .target(name: "FabricStore", dependencies: ["FabricRecords", "CSQLite", "CMariaDB"], swiftSettings: swiftSettings),
        .target(name: "FabricHTTP", dependencies: ["FabricRecords", "CCurl", "CExpat"], swiftSettings: swiftSettings),
        .target(
            name: "FabricProviders", dependencies: ["FabricRecords", "FabricStore", "FabricHTTP"],
            swiftSettings: swiftSettings),
        .target(
            name: "FabricCLI",
            dependencies: [
                "FabricRecords", "FabricStore", "FabricHTTP", "FabricProviders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        // Sources/Tools/main.swift picks the tool; Sources/Tools/fabric-*/ hold one tool each.
        .executableTarget(
            name: "fabric-tools", dependencies: ["FabricCLI"], path: "Sources/Tools",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FabricTests", dependencies: ["FabricRecords", "FabricStore", "FabricHTTP", "FabricProviders", "FabricCLI"],
            swiftSettings: swiftSettings),
    ]
)
