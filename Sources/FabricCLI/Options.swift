import FabricRecords
import FabricStore
import ArgumentParser

/// `--store PATH|URL` and `--store-password-file FILE`, shared by every tool that reads or
/// writes state.
public struct StoreOptions: ParsableArguments, StoreSelection {
    @Option(name: .long, help: ArgumentHelp(
        "The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.",
        valueName: "path|url"), completion: .file())
    public var store: String?

    @Option(name: .customLong("store-password-file"), help: ArgumentHelp(
        "A mysql:// store's password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.",
        valueName: "file"), completion: .file())
    public var storePasswordFile: String?

    public init() {}
}

/// `-p, --provider ID`: which registered provider to talk to. In filters it may be left out
/// when each record carries `provider_id`.
public struct ProviderOptions: ParsableArguments {
    @Option(name: [.short, .customLong("provider")], help: ArgumentHelp(
        "The registered provider to use (see: fabric provider list).", valueName: "id"))
    public var provider: String?

    public init() {}

    public func validate() throws {
        if let provider { try Identifier.provider.check(provider) }
    }
}

/// `-n, --null-input`: start from one empty record instead of reading standard input, as jq -n.
public struct InputOptions: ParsableArguments {
    @Flag(name: [.short, .customLong("null-input")], help: ArgumentHelp(
        "Do not read standard input; start from one empty record. Implied when standard input is a terminal."))
    public var nullInput = false

    public init() {}

    /// The input records: standard input, or one empty record.
    public func reader() -> RecordSource {
        nullInput || isTerminal(0) ? RecordSource(single: .object()) : RecordSource(reader: RecordReader())
    }
}

/// Records to process: a stream on standard input, or a fixed list.
public struct RecordSource {
    private var reader: RecordReader?
    private var pending: [JSON]

    public init(reader: RecordReader) {
        self.reader = reader
        pending = []
    }

    public init(single record: JSON) { self.init(records: [record]) }

    public init(records: [JSON]) {
        reader = nil
        pending = records.reversed()
    }

    public mutating func next() throws(FabricError) -> JSON? {
        if var reader {
            defer { self.reader = reader }
            return try reader.next()
        }
        return pending.popLast()
    }

    public mutating func readAll() throws(FabricError) -> [JSON] {
        var result: [JSON] = []
        while let record = try next() { result.append(record) }
        return result
    }
}
