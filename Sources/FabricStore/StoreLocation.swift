import FabricRecords

/// Where the store lives: --store, then FABRIC_STORE, then the XDG state directory. A path (or
/// file:PATH) is a SQLite file; mysql://USER@HOST[:PORT]/DATABASE is a database on a MySQL or
/// MariaDB server, and mysql://USER@HOST[:PORT],HOST[:PORT],.../DATABASE one on the nodes of a
/// replicated one. Any other SCHEME: is refused: a mistyped URL taken for a file name would
/// split a team's state into a new, empty SQLite store without a word.
/// What names a store: a path or URL (nil: the default) and where a mysql:// store's password
/// is; the command line's `--store` and `--store-password-file` are one such selection.
public protocol StoreSelection {
    var store: String? { get }
    var storePasswordFile: String? { get }
}

/// Whether a command may make the store it names. Only a command that writes creates a store
/// (and its directory, or its database); one that reads reports a store that is not there.
public enum StoreAccess: Sendable {
    case existing
    case creating
}

public enum StoreLocation {
    /// The store a location names, parsed once: what every door to the store goes through.
    public enum Kind: Equatable {
        case sqlite(path: String)
        case mysql(MySQLLocation)
    }

    public static let acceptedForms = "a path, file:PATH, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?OPTIONS]"

    public static func resolve(_ option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let path = environment("FABRIC_STORE"), !path.isEmpty { return path }
        if let state = environment("XDG_STATE_HOME"), state.hasPrefix("/") { return state + "/fabric/fabric.db" }
        return (environment("HOME") ?? ".") + "/.local/state/fabric/fabric.db"
    }

    /// The kind of store a location names; UsageError for a scheme fabric does not know
    /// (`mysq://`, `MYSQL://`, `postgres://`, `sqlite:`), listing the forms it takes.
    public static func kind(of location: String) throws(FabricError) -> Kind {
        if MySQLLocation.isMySQL(location) { return .mysql(try MySQLLocation(location)) }
        if location.hasPrefix("file:") {
            var path = location.dropFirst("file:".count)
            // file:///abs/path as well as file:relative or file:/abs
            if path.hasPrefix("//") {
                guard path.hasPrefix("///") else {
                    throw FabricError.usage("store \(quoted(location)): a file: store is on this host (file:PATH or file:///PATH)")
                }
                path = path.dropFirst(2)
            }
            guard !path.isEmpty else { throw FabricError.usage("store \(quoted(location)): file: needs a path") }
            return .sqlite(path: String(path))
        }
        if let scheme = scheme(of: location) {
            let hint = scheme.lowercased() == "mysql" ? "the scheme is spelled mysql://, in lower case" : nil
            throw FabricError.usage("store \(quoted(location)): \(quoted(scheme + ":")) is not a kind of store fabric knows; "
                                    + "a store is \(acceptedForms)", hint: hint ?? "see: fabric-store(1)")
        }
        return .sqlite(path: location)
    }

    /// SCHEME of `SCHEME:...` (RFC 3986: a letter, then letters, digits, + - .), or nil. A
    /// path with a colon further on (./a:b, /x/a:b) has a / before it, so it is no scheme.
    private static func scheme(of location: String) -> String? {
        guard let colon = location.firstIndex(of: ":") else { return nil }
        let candidate = location[..<colon]
        guard let first = candidate.unicodeScalars.first, first.isASCIILetter,
              candidate.unicodeScalars.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || "+-.".unicodeScalars.contains($0) })
        else { return nil }
        return String(candidate)
    }

    /// The location as `fabric-store path` prints it: a mysql:// URL in its canonical form.
    public static func describe(_ options: some StoreSelection) throws(FabricError) -> String {
        switch try kind(of: resolve(options.store)) {
        case .mysql(let target): target.url
        case .sqlite(let path): path
        }
    }

    /// Opens the database the options name; nothing is read that this kind of store does not
    /// use. `.existing`: a store that is not there is a StoreError naming it, and nothing is made.
    public static func open(_ options: some StoreSelection, access: StoreAccess) throws(FabricError) -> any Database {
        switch try kind(of: resolve(options.store)) {
        case .mysql(let target):
            let credentials = try MySQLCredentials(passwordFile: options.storePasswordFile)
            return try MySQLDatabase(target, password: credentials.password, optionFile: credentials.optionFile,
                                     createDatabase: access == .creating)
        case .sqlite(let path):
            if options.storePasswordFile != nil {
                throw FabricError.usage("--store-password-file is for a mysql:// store, and the store is the SQLite file \(quoted(path))")
            }
            // An empty file is no store either; opening it would write SQLite's header.
            if access == .existing, (fileSize(path) ?? 0) == 0 { throw missing(path) }
            return try SQLiteDatabase(storeAt: path)
        }
    }

    /// A store a reading command found missing: a typo in --store or FABRIC_STORE, or no
    /// command has written one yet.
    public static func missing(_ location: String) -> FabricError {
        FabricError.store("there is no store at \(quoted(location)) (nothing was created: only a command that writes creates a store)",
                          hint: "check --store and $FABRIC_STORE, or begin with: fabric provider register")
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) }
    fileprivate var isASCIIDigit: Bool { (0x30...0x39).contains(value) }
}
