import Foundation
import Testing

/// fabric-store on both backends, as a user runs it: the same records in, the same records out,
/// the same errors, and export | import moving a store between SQLite and MySQL unchanged.
@Suite struct StoreTests {
    /// What a store holds after a short life: two providers (ids that differ only in case), a
    /// machine created on the null provider with a public address and a snapshot, and records
    /// added by hand.
    static func populate(_ h: Harness) {
        h.registerNull()
        h.registerNull("Demo")
        let create = h.sh("""
            fabric --json machine create demo --number_machines 2 --wait_spawning --public_network public > created.jsonl &&
            uuid=$(jq -r .uuid created.jsonl | head -n 1) &&
            fabric --json snapshot create demo "$uuid" --wait_spawning > /dev/null &&
            printf '%s\\n' '{"kind":"machine","provider_id":"Demo","uuid":"m1","note":"ünïcödé ✓"}' \
              '{"kind":"machine","provider_id":"Demo","uuid":"M1","status":"ACTIVE"}' | fabric-store add > /dev/null
            """)
        precondition(create.status == 0, "populate failed: \(create.stderr)")
    }

    @Test(arguments: Backend.allCases) func recordsGoInAndComeOutTheSame(_ backend: Backend) {
        let h = Harness(backend)
        Self.populate(h)
        #expect(h.sh("fabric-store list providers | jq -r .provider_id").lines == ["Demo", "demo"], "ids compare exactly")
        let mine = h.sh("fabric-store list machines -p Demo")
        #expect(mine.lines == [#"{"kind":"machine","provider_id":"Demo","uuid":"m1","note":"ünïcödé ✓"}"#,
                               #"{"kind":"machine","provider_id":"Demo","uuid":"M1","status":"ACTIVE"}"#],
                "records come back byte for byte, and \"M1\" is not \"m1\": \(mine.stdout)")
        #expect(h.sh("fabric-store get machine -p Demo M1 | jq -r .status").stdout == "ACTIVE\n")
        let machines = h.sh("fabric-store list machines -p demo")
        #expect(machines.records.count == 2)
        #expect(machines.records.allSatisfy { ($0["public_addresses"] as? [String])?.count == 1 })
        #expect(h.sh("fabric-store list snapshots -p demo | jq -r .status").stdout == "active\n")
        // An update keeps the row's place and creation time; a big record passes unchanged.
        let big = #"{"kind":"machine","provider_id":"Demo","uuid":"m1","status":"SHUTOFF","blob":""# + String(repeating: "x", count: 200_000) + "\"}"
        let update = h.sh("fabric-store add", stdin: big + "\n")
        #expect(update.status == 0 && update.stdout == big + "\n", "\(update.stderr)")
        #expect(h.sh("fabric-store get machine -p Demo m1").stdout == big + "\n", "a 200 KB record comes back whole")
        #expect(h.sh("fabric-store list machines -p Demo | jq -r '.uuid + \":\" + (.status // \"-\") + \":\" + ((.blob // \"\") | length | tostring)'").lines
                == ["m1:SHUTOFF:200000", "M1:ACTIVE:0"])
        let refused = h.sh("fabric-store remove provider demo")
        #expect(refused.status == 2 && refused.stderr.contains("still has 2 machines"), "\(refused.stderr)")
        #expect(h.sh("fabric-store remove machine -p Demo m1 M1 | jq -r .uuid").lines == ["m1", "M1"])
        #expect(h.sh("fabric-store remove provider Demo | jq -r .provider_id").stdout == "Demo\n")
        #expect(h.sql("SELECT count(*) FROM providers") == ["1"])
    }

    /// The spec's column widths hold on both backends, checked before anything is stored.
    @Test(arguments: Backend.allCases) func valuesWiderThanTheSpecsColumnsAreRefusedUpFront(_ backend: Backend) {
        let h = Harness(backend)
        h.registerNull()
        let uuid = String(repeating: "u", count: 41)
        let wide = h.sh(#"printf '%s\n' '{"kind":"machine","provider_id":"demo","uuid":"ok"}' '{"kind":"machine","provider_id":"demo","uuid":"\#(uuid)"}' | fabric-store add"#)
        #expect(wide.status == 65, "\(wide.stderr)")
        #expect(wide.stderr.contains("machine record's \"uuid\" is 41 characters long; the store keeps at most 40 (machines.machine_uuid)"), "\(wide.stderr)")
        #expect(h.sql("SELECT count(*) FROM machines") == ["0"], "nothing of the input was stored")
        // Characters, not bytes: 64 two-byte characters fit the status's 64.
        let accented = String(repeating: "é", count: 64)
        #expect(h.sh(#"printf '{"kind":"machine","provider_id":"demo","uuid":"u2","status":"\#(accented)"}\n' | fabric-store add"#).status == 0)
        #expect(h.sh("fabric-store get machine -p demo u2 | jq -r .status").stdout == accented + "\n")
        let user = String(repeating: "a", count: 101)
        let provider = h.sh("FABRIC_PASSWORD=pw fabric-store register wide --type null --username \(user) --url null:// --tenant t")
        #expect(provider.status == 64, "\(provider.stderr)")
        #expect(provider.stderr.contains("provider username is 101 characters long; the store keeps at most 100 (providers.username)"))
        // 2,048 characters: an EC2 secret key with its session token (schema version 4).
        let password = h.sh("FABRIC_PASSWORD=\(String(repeating: "p", count: 2049)) fabric-store register wide --type null --username a --url null:// --tenant t")
        #expect(password.status == 64 && password.stderr.contains("provider password is 2049 characters long; the store keeps at most 2048"), "\(password.stderr)")
        #expect(h.sh("FABRIC_PASSWORD=\(String(repeating: "p", count: 2048)) fabric-store register long --type null --username a --url null:// --tenant t").status == 0)
        #expect(h.sql("SELECT length(password) FROM providers WHERE provider_id = 'long'") == ["2048"])
        #expect(!password.stderr.contains("ppppp"), "the message never holds the password")
        #expect(h.sql("SELECT count(*) FROM providers") == ["2"])
    }

    /// export | import moves a store from one backend to the other and back, row for row:
    /// the exports of all three stores are the same bytes, and the moved store works.
    @Test(arguments: Backend.allCases) func exportImportMovesAStoreToTheOtherBackend(_ from: Backend) throws {
        let source = Harness(from)
        Self.populate(source)
        let other: Backend = from == .sqlite ? .mysql : .sqlite
        let target = Harness(other)
        let back = Harness(from)
        let moved = source.sh("""
            fabric-store export --with-secrets > export.jsonl &&
            fabric-store import --store '\(target.store)' < export.jsonl > imported.jsonl &&
            fabric-store export --with-secrets --store '\(target.store)' > moved.jsonl &&
            fabric-store export --with-secrets --store '\(target.store)' | fabric-store import --store '\(back.store)' > /dev/null &&
            fabric-store export --with-secrets --store '\(back.store)' > back.jsonl &&
            cmp export.jsonl moved.jsonl && cmp export.jsonl back.jsonl && cat imported.jsonl
            """, env: ["FABRIC_STORE_PASSWORD": (from.isServer ? from : other).password!])
        #expect(moved.status == 0, "\(moved.stdout) \(moved.stderr)")
        let counts = Dictionary(uniqueKeysWithValues: moved.records.map { ($0["table"] as? String ?? "", $0["rows"] as? Int ?? -1) })
        #expect(counts == ["providers": 2, "machines": 4, "snapshots": 1, "null_servers": 2, "null_addresses": 2, "null_images": 1,
                          "machine_groups": 0, "jobs": 0], "\(counts)")
        // The moved store is the same store: same listing, the null cloud's machines with it.
        #expect(target.sh("fabric --json machine list demo").stdout == source.sh("fabric --json machine list demo").stdout)
        #expect(target.cloudMachines() == 2)
        let uuid = target.sh("fabric-store list snapshots -p demo | jq -r .machine_uuid").stdout.trimmingCharacters(in: .newlines)
        #expect(target.sh("fabric --json machine destroy demo \(uuid)").status == 0)
        #expect(target.cloudMachines() == 1 && target.count("snapshots") == 0)
        #expect(source.cloudMachines() == 2, "the source store is left as it was")
    }

    /// check on both backends: one record, healthy, the schema version; a plain server's version
    /// and no Galera fields; a SQLite file's quick_check, and a damaged file is not healthy.
    @Test(arguments: Backend.allCases) func checkSaysWhetherTheStoreCanBeUsed(_ backend: Backend) throws {
        let h = Harness(backend)
        h.registerNull()
        let check = h.sh("fabric-store check")
        #expect(check.status == 0 && check.records.count == 1, "\(check.stdout) \(check.stderr)")
        let record = try #require(check.records.first)
        #expect(record["kind"] as? String == "store_check" && record["healthy"] as? Bool == true, "\(check.stdout)")
        #expect(record["schema_version"] as? Int == h.sql(backend == .sqlite ? "PRAGMA user_version" : "SELECT version FROM fabric_schema").first.flatMap { Int($0) })
        switch backend {
        case .sqlite:
            #expect(record["quick_check"] as? String == "ok" && record["store"] as? String == h.store && record["sqlite_version"] is String)
            _ = h.sh("printf 'not a database, not at all; just some bytes to be read' | dd of=fabric.db bs=1 seek=0 conv=notrunc 2> /dev/null; rm -f fabric.db-wal fabric.db-shm")
            let broken = h.sh("fabric-store check")
            #expect(broken.status == 4 && broken.records.first?["healthy"] as? Bool == false, "\(broken.stdout) \(broken.stderr)")
        case .mysql, .galera:
            let hosts = try #require(record["hosts"] as? [[String: Any]])
            #expect(hosts.count == 1 && hosts[0]["answers"] as? Bool == true && hosts[0]["wsrep_cluster_size"] == nil, "\(hosts)")
            #expect((hosts[0]["version"] as? String ?? "").contains("MariaDB"))
        }
    }

    @Test(arguments: Backend.allCases) func importChecksTheWholeExportFirst(_ backend: Backend) {
        let source = Harness(.sqlite)
        Self.populate(source)
        let h = Harness(backend)
        _ = source.sh("fabric-store export > plain.jsonl; fabric-store export --with-secrets > full.jsonl")
        let plain = source.directory.appendingPathComponent("plain.jsonl").path
        let full = source.directory.appendingPathComponent("full.jsonl").path
        let cases: [(command: String, status: Int32, message: String)] = [
            ("fabric-store import < \(plain)", 65, "providers.password was left out of the export (it is secret) (export with --with-secrets)"),
            ("sed 's/\"schema_version\":[0-9]*/\"schema_version\":97/' \(full) | fabric-store import", 65, "the export has schema version 97"),
            ("tail -n +2 \(full) | fabric-store import", 65, "record 1 is not an export header"),
            ("sed '$s/\"table\":\"[a-z_]*\"/\"table\":\"users\"/' \(full) | fabric-store import", 65, "table \"users\" is not one the store exports"),
            // Line 4 is the first machine's (a header, then the providers demo and Demo).
            ("sed '4s/\"record\":/\"recrod\":/' \(full) | fabric-store import", 65, "record 4: machines has no column \"recrod\""),
            ("sed '4s/\"created\":\"[^\"]*\"/\"created\":5/' \(full) | fabric-store import", 65, "record 4: machines.created must be a string"),
        ]
        for item in cases {
            h.expectFailure(item.command, item.status, item.message)
        }
        #expect(h.sql("SELECT count(*) FROM providers") == ["0"], "a refused import stores nothing")
        #expect(h.sh("fabric-store import < \(full) > /dev/null").status == 0)
        h.expectFailure("fabric-store import < \(full)", 4, "already holds 2 rows in providers (import into a new, empty store)")
        #expect(h.sql("SELECT count(*) FROM machines") == ["4"])
    }

    /// A store of schema version 1 (before the tokens table, the listing index, the wider
    /// password and the catalogue cache) is brought up to date when a command opens it, its rows kept, on either backend.
    @Test(arguments: Backend.allCases) func aVersion1StoreIsMigrated(_ backend: Backend) {
        let h = Harness(backend)
        Self.populate(h)
        let before = h.sh("fabric-store export --with-secrets").stdout
        let (downgrade, version, objects) = switch backend {
        case .sqlite: ("DROP INDEX machines_listing; DROP TABLE tokens; DROP TABLE catalogs; DROP TABLE machine_groups; DROP TABLE locks; DROP TABLE jobs; ALTER TABLE null_servers DROP COLUMN host; PRAGMA user_version = 1", "PRAGMA user_version",
                       "SELECT count(*) FROM sqlite_master WHERE name IN ('machines_listing', 'tokens', 'catalogs')")
        case .mysql, .galera: ("DROP INDEX machines_listing ON machines; DROP TABLE tokens; DROP TABLE catalogs; DROP TABLE machine_groups; DROP TABLE locks; DROP TABLE jobs; ALTER TABLE providers MODIFY COLUMN password VARCHAR(128) NOT NULL; ALTER TABLE null_servers DROP COLUMN host; UPDATE fabric_schema SET version = 1",
                      "SELECT version FROM fabric_schema",
                      "SELECT (SELECT count(DISTINCT index_name) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = 'machines_listing') + (SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('tokens', 'catalogs')) + (SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'providers' AND column_name = 'password' AND character_maximum_length = 2048)")
        }
        _ = h.sql(downgrade)
        #expect(h.sql(version) == ["1"] && h.sql(objects) == ["0"])
        #expect(h.sh("fabric-store list machines -p demo | wc -l").stdout.trimmingCharacters(in: .whitespaces) == "2\n")
        #expect(h.sql(version) == ["8"], "migrated to version 8")
        #expect(h.sql(objects) == [backend == .sqlite ? "3" : "4"], "with the tokens and catalogs tables, the listing index (and on MySQL the wider password)")
        // A version-1 store had no emulated hosts: its null_servers rows come back with none.
        let hostless = before.replacingOccurrences(of: #""host":"host-[0-9]+""#, with: #""host":"""#, options: .regularExpression)
        #expect(hostless != before, "the export held the emulated hosts")
        #expect(h.sh("fabric-store export --with-secrets").stdout == hostless, "and every row as it was")
        let long = String(repeating: "p", count: 2048)
        #expect(h.sh("FABRIC_PASSWORD=\(long) fabric-store register long --type null --username a --url null:// --tenant t").status == 0)
        #expect(h.sql("SELECT length(password) FROM providers WHERE provider_id = 'long'") == ["2048"])
    }
}
