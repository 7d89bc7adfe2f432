import CSQLite
import FabricRecords

/// What `fabric-store check` prints, one record, and why the store cannot be used (nil: it can).
public struct StoreCheck {
    public let record: JSON
    public let problem: FabricError?

    /// Checks the store the options name without changing it: a mysql:// store host by host
    /// (see MySQLDatabase.check), a SQLite file with `PRAGMA quick_check`.
    public static func run(_ options: some StoreSelection) throws(FabricError) -> StoreCheck {
        switch try StoreLocation.kind(of: StoreLocation.resolve(options.store)) {
        case .mysql(let target):
            let credentials = try MySQLCredentials(passwordFile: options.storePasswordFile)
            return try MySQLDatabase.check(target, password: credentials.password, optionFile: credentials.optionFile)
        case .sqlite(let path):
            if options.storePasswordFile != nil {
                throw FabricError.usage("--store-password-file is for a mysql:// store, and the store is the SQLite file \(quoted(path))")
            }
            return sqlite(path)
        }
    }

    /// A file that is not there is no store: a typo in --store or FABRIC_STORE would otherwise
    /// pass as a healthy new one.
    private static func sqlite(_ path: String) -> StoreCheck {
        let record = JSON.object()
        record["kind"] = JSON("store_check")
        record["store"] = JSON(path)
        record["backend"] = JSON("sqlite")
        record["sqlite_version"] = JSON(String(cString: sqlite3_libversion()))
        guard fileExists(path) else {
            record["exists"] = JSON(false)
            record["schema_version"] = JSON(0)
            record["healthy"] = JSON(false)
            return StoreCheck(record: record, problem: StoreLocation.missing(path))
        }
        record["exists"] = JSON(true)
        do throws(FabricError) {
            let database = try SQLiteDatabase(path: path)
            let verdict = try database.rows("PRAGMA quick_check").compactMap { $0.text(0) }.joined(separator: "; ")
            record["quick_check"] = JSON(verdict)
            let version = try database.schemaVersion()
            record["schema_version"] = JSON(version)
            if verdict != "ok" {
                throw FabricError.store("store \(quoted(path)) fails its integrity check: \(verdict)", hint: "restore it from a copy, or fabric-store export what can be read")
            }
            if version > Schema.version {
                throw FabricError.store("store \(quoted(path)) has schema version \(version), newer than this fabric (\(Schema.version))", hint: "upgrade fabric")
            }
            // A file without fabric's schema (an empty one) is no store yet.
            if version == 0 { throw StoreLocation.missing(path) }
        } catch {
            record["error"] = JSON(error.message)
            record["healthy"] = JSON(false)
            return StoreCheck(record: record, problem: error)
        }
        record["healthy"] = JSON(true)
        return StoreCheck(record: record, problem: nil)
    }
}
