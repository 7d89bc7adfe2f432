import FabricRecords

/// Where a MySQL store's password comes from, first found wins: --store-password-file (its
/// first line; /dev/fd/N works), $FABRIC_STORE_PASSWORD, then the user's option file
/// (~/.my.cnf, groups [client] and [fabric]), which Connector/C reads itself. Never argv.
struct MySQLCredentials {
    let password: String?
    let optionFile: String?

    init(passwordFile: String?) throws(FabricError) {
        password = try passwordFile.map(readFirstLine) ?? environment("FABRIC_STORE_PASSWORD")
        let file = (environment("HOME") ?? "") + "/.my.cnf"
        optionFile = environment("HOME") != nil && fileExists(file) ? file : nil
    }
}
