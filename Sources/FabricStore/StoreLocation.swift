/// Where the store lives: --store, then FABRIC_STORE, then the XDG state directory. A path is a
/// SQLite file; mysql://USER@HOST[:PORT]/DATABASE is a database on a MySQL or MariaDB server, and
/// mysql://USER@HOST[:PORT],HOST[:PORT],.../DATABASE one on the nodes of a replicated one.
import FabricRecords

/// What names a store: a path or URL (nil: the default) and where a mysql:// store's password
/// is; the command line's `--store` and `--store-password-file` are one such selection.
public protocol StoreSelection {
    var store: String? { get }
    var storePasswordFile: String? { get }
}

public enum StoreLocation {
    public static func resolve(_ option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let path = environment("FABRIC_STORE"), !path.isEmpty { return path }
        if let state = environment("XDG_STATE_HOME"), state.hasPrefix("/") { return state + "/fabric/fabric.db" }
        return (environment("HOME") ?? ".") + "/.local/state/fabric/fabric.db"
    }

    /// The location as `fabric-store path` prints it: a mysql:// URL in its canonical form.
    public static func describe(_ options: some StoreSelection) throws(FabricError) -> String {
        let location = resolve(options.store)
        return MySQLLocation.isMySQL(location) ? try MySQLLocation(location).url : location
    }

    /// Opens the database the options name; nothing is read that this kind of store does not use.
    public static func open(_ options: some StoreSelection) throws(FabricError) -> any Database {
        let location = resolve(options.store)
        if MySQLLocation.isMySQL(location) {
            let target = try MySQLLocation(location)
            let credentials = try MySQLCredentials(passwordFile: options.storePasswordFile)
            return try MySQLDatabase(target, password: credentials.password, optionFile: credentials.optionFile)
        }
        if options.storePasswordFile != nil {
            throw FabricError.usage("--store-password-file is for a mysql:// store, and the store is the SQLite file \(quoted(location))")
        }
        return try SQLiteDatabase(storeAt: location)
    }
}
