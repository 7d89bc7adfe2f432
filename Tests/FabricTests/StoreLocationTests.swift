import Foundation
import Testing

/// A mistyped store never splits the state: a location is a path, file:PATH or mysql://...;
/// any other scheme is a usage error, and only a command that writes creates a store.
@Suite struct StoreLocationTests {
    /// Every file under the test's directory, to show that a command made none.
    func files(_ h: Harness) -> [String] {
        let listing = h.sh("find . -mindepth 1 | sort")
        #expect(listing.status == 0, "\(listing.stderr)")
        return listing.lines
    }

    @Test(arguments: ["mysq://fabric@127.0.0.1/fabric", "MYSQL://fabric@127.0.0.1/fabric", "postgres://db/x", "sqlite:fabric.db",
                      "file://otherhost/fabric.db"])
    func aStoreOfAnUnknownKindIsAUsageErrorThatMakesNothing(location: String) {
        let h = Harness()
        let before = files(h)
        for command in ["fabric provider list", "fabric-store check", "fabric-store list machines", "fabric machine list demo",
                        "FABRIC_PASSWORD=pw fabric-store register demo --type null --username a --url null:// --tenant t",
                        "fabric provider register demo admin secret null:// demo --provider_type null"] {
            let result = h.sh("\(command) --store '\(location)'")
            #expect(result.status == 64, "\(command) --store \(location): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("a store is a path, file:PATH, or mysql://") || result.stderr.contains("file: store is on this host"),
                    "\(command): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
            // The same through FABRIC_STORE, as a team's environment sets it.
            let fromEnvironment = h.sh(command, env: ["FABRIC_STORE": location])
            #expect(fromEnvironment.status == 64, "FABRIC_STORE=\(location) \(command): \(fromEnvironment.stderr)")
        }
        #expect(files(h) == before, "a file was made: \(files(h))")
    }

    @Test func aCommandThatReadsReportsAMissingStoreAndCreatesNothing() {
        let h = Harness()
        let missing = h.directory.appendingPathComponent("new/dir/x.db").path
        #expect(files(h).isEmpty)
        for command in ["fabric provider list", "fabric machine list demo", "fabric job list", "fabric job show 1",
                        "fabric-store list providers", "fabric-store list machines", "fabric-store get provider demo",
                        "fabric-store check", "fabric-store export", "fabric-job list", "fabric-job show 1",
                        "fabric-find-image -p demo", "fabric-list-machines -p demo", "fabric-store group -p demo db"] {
            let result = h.sh("\(command) --store '\(missing)'")
            #expect(result.status == 4, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("there is no store at \"\(missing)\""), "\(command): \(result.stderr)")
            #expect(files(h).isEmpty, "\(command) made \(files(h))")
        }
        // fabric-store check still says what it saw, as a record.
        let check = h.sh("fabric-store check --store '\(missing)' | jq -c '[.exists, .healthy]'")
        #expect(check.stdout == "[false,false]\n", "\(check.stdout) \(check.stderr)")
        // A command that writes makes it, and its directory, private.
        let registered = h.sh("fabric provider register demo admin secret null:// demo --provider_type null --store '\(missing)'")
        #expect(registered.status == 0, "\(registered.stderr)")
        let modes = h.sh("stat -c %a new/dir new/dir/x.db")
        #expect(modes.stdout == "700\n600\n", "\(modes.stdout) \(modes.stderr)")
        let listed = h.sh("fabric --json provider list --store 'file:\(missing)' | jq -r .provider_id")
        #expect(listed.status == 0 && listed.stdout == "demo\n", "file:PATH names the same store: \(listed.stderr)")
        let uri = h.sh("fabric --json provider list --store 'file://\(missing)' | jq -r .provider_id")
        #expect(uri.status == 0 && uri.stdout == "demo\n", "file:///PATH too: \(uri.stderr)")
    }

    /// A file without fabric's schema (an empty one, made by `touch`) is no store either, and
    /// reading it leaves it as it was.
    @Test func anEmptyFileIsNoStoreUntilAWriteMakesIt() {
        let h = Harness()
        let empty = h.directory.appendingPathComponent("empty.db").path
        #expect(FileManager.default.createFile(atPath: empty, contents: nil))
        for command in ["fabric provider list", "fabric-store list machines", "fabric-store check", "fabric-store export"] {
            let result = h.sh("\(command) --store '\(empty)'")
            #expect(result.status == 4 && result.stderr.contains("there is no store at \"\(empty)\""), "\(command): \(result.stderr)")
        }
        #expect(h.sh("stat -c %s '\(empty)'").stdout == "0\n", "a read wrote to the file")
        #expect(h.sh("fabric provider register demo admin secret null:// demo --provider_type null --store '\(empty)'").status == 0)
        #expect(h.sh("fabric-store check --store '\(empty)' | jq -r .healthy").stdout == "true\n")
    }

    @Test func aCommandThatReadsAMissingMySQLDatabaseCreatesNothing() {
        let h = Harness(.mysql), server = MySQLTestServer.shared
        let databases = { h.run("/usr/bin/mariadb", ["--defaults-file=\(server.clientOptions)", "-N", "-B", "-e",
                                                     "SHOW DATABASES LIKE '\(h.database)'"]) }
        for command in ["fabric provider list", "fabric-store list machines", "fabric-store export", "fabric job list"] {
            let result = h.sh(command)
            #expect(result.status == 4, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("Unknown database") && result.stderr.contains(h.database), "\(command): \(result.stderr)")
        }
        let check = h.expectFailure("fabric-store check", 4, "there is no store at")
        #expect(check.stdout.contains("\"exists\":false"), "\(check.stdout)")
        let before = databases()
        #expect(before.status == 0 && before.stdout.isEmpty, "the database was made: \(before.stdout) \(before.stderr)")
        // A database made by hand, empty, is no store yet: a read makes no table in it.
        let made = h.run("/usr/bin/mariadb", ["--defaults-file=\(server.clientOptions)", "-e", "CREATE DATABASE \(h.database)"])
        #expect(made.status == 0, "\(made.stderr)")
        h.expectFailure("fabric provider list", 4, "there is no store at")
        let tables = h.run("/usr/bin/mariadb", ["--defaults-file=\(server.clientOptions)", "-N", "-B", "-e",
                                                "SELECT count(*) FROM information_schema.tables WHERE table_schema = '\(h.database)'"])
        #expect(tables.status == 0 && tables.stdout == "0\n", "a read made tables: \(tables.stdout) \(tables.stderr)")
        h.registerNull()
        let after = databases()
        #expect(after.status == 0 && after.lines == [h.database], "a command that writes makes it: \(after.stdout) \(after.stderr)")
    }
}
