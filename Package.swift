// swift-tools-version:6.0
// fabric: provisioning MySQL machines in the cloud as Unix plumbing.
// C modules (sqlite3, curl, mariadb, jansson, expat) -> the core's layers (records, store, HTTP,
// providers, command line) -> one executable holding every tool, which runs the tool it is started
// as (fabric-store, fabric-boot, ...: links to it), as git runs its builtins: one link of the
// release build, and one ~27 MB binary installed, not ten.
import PackageDescription

let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

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
        .target(name: "CCurl", path: "Sources/CCurl", publicHeadersPath: "."),
        // Opened on first use too (loader.c): only a mysql:// store needs MariaDB Connector/C, so a
        // SQLite user's tools start as fast as before. Headers from libmariadb-dev.
        .target(name: "CMariaDB", path: "Sources/CMariaDB", publicHeadersPath: "."),
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
        .target(name: "FabricRecords", dependencies: ["CJansson"], swiftSettings: swift5),
        .target(name: "FabricStore", dependencies: ["FabricRecords", "CSQLite", "CMariaDB"], swiftSettings: swift5),
        .target(name: "FabricHTTP", dependencies: ["FabricRecords", "CCurl", "CExpat"], swiftSettings: swift5),
        .target(
            name: "FabricProviders", dependencies: ["FabricRecords", "FabricStore", "FabricHTTP"],
            swiftSettings: swift5),
        .target(
            name: "FabricCLI",
            dependencies: [
                "FabricRecords", "FabricStore", "FabricHTTP", "FabricProviders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swift5),
        // Sources/Tools/main.swift picks the tool; Sources/Tools/fabric-*/ hold one tool each.
        .executableTarget(
            name: "fabric-tools", dependencies: ["FabricCLI"], path: "Sources/Tools",
            swiftSettings: swift5),
        .testTarget(
            name: "FabricTests", dependencies: ["FabricRecords", "FabricStore", "FabricHTTP", "FabricProviders", "FabricCLI"],
            swiftSettings: swift5),
    ]
)
