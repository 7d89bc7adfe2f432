// swift-tools-version:6.0
// fabric: provisioning MySQL machines in the cloud as Unix plumbing.
// C modules (sqlite3, curl, jansson, expat) -> one core library -> one thin executable per tool.
import PackageDescription

let tools = [
    "fabric-find-image",
    "fabric-find-flavor",
    "fabric-boot",
    "fabric-wait",
    "fabric-public-address",
    "fabric-store",
    "fabric-snapshot",
    "fabric-destroy",
    "fabric-list-machines",
    "fabric-table",
]

let package = Package(
    name: "fabric",
    products: tools.map { .executable(name: $0, targets: [$0]) },
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
        .systemLibrary(
            name: "CJansson", pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]),
        // EC2 answers in XML. expat rather than libxml2: a small streaming parser with no
        // dependencies of its own (libxml2 brings ICU, lzma and zlib), so linking it costs the
        // tools nothing measurable at start-up, and the Swift side builds the little tree it needs.
        .systemLibrary(
            name: "CExpat", pkgConfig: "expat",
            providers: [.apt(["libexpat1-dev"])]),
        .target(
            name: "FabricCore",
            dependencies: [
                "CSQLite", "CCurl", "CJansson", "CExpat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ] + tools.map { tool in
        .executableTarget(
            name: tool, dependencies: ["FabricCore"], path: "Sources/Tools/\(tool)",
            swiftSettings: [.swiftLanguageMode(.v5)])
    } + [
        .testTarget(
            name: "FabricTests", dependencies: ["FabricCore"],
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
