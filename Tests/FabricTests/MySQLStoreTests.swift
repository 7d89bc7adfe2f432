import Foundation
import Testing

/// What only a shared store on a server has: its URL and password, TLS, several admin hosts at
/// once, a connection or a whole server that goes away, and a schema upgraded by whoever comes
/// first. Every test runs on the run's private MariaDB server (one that it kills is its own).
@Suite struct MySQLStoreTests {
    static var server: MySQLTestServer { MySQLTestServer.shared }

    @Test func badURLsAreUsageErrorsThatNeverShowAPassword() {
        let h = Harness(.mysql)
        let socket = Self.server.socket
        let cases: [(url: String, message: String)] = [
            ("mysql://fabric:Hunter2-secret@localhost/db", "the store URL must not hold a password (it would show in argv and ps)"),
            ("mysql://localhost/db", "the store URL names no user"),
            ("mysql://fabric@localhost", "the store URL names no database"),
            ("mysql://fabric@localhost:99999/db", "port \"99999\" is not a number from 1 to 65535"),
            ("mysql://fabric@localhost/db?sockett=/x", "option \"sockett\" is not known (options: socket, ssl, ssl_ca)"),
            ("mysql://fabric@localhost/db?ssl=maybe", "ssl=maybe is not known"),
            ("mysql://fabric@localhost/db?ssl_ca=/nonexistent/ca.pem", "ssl_ca file \"/nonexistent/ca.pem\" does not exist"),
            ("mysql://fabric@localhost/db?socket=relative.sock", "socket must be an absolute path"),
            ("mysql://fabric@db1,,db3/db", "the store URL's host list \"db1,,db3\" has an empty host"),
            ("mysql://fabric@db1:3306,db1:3306/db", "the store URL names the host \"db1:3306\" twice"),
            ("mysql://fabric@db1,db2:0/db", "port \"0\" is not a number from 1 to 65535"),
            ("mysql://fabric@localhost,db2/db?socket=/x.sock", "the store URL's socket names one local server; it cannot go with a list of hosts"),
        ]
        for item in cases {
            let result = h.expectFailure("fabric-store list providers --store '\(item.url)'", 64, item.message)
            #expect(!result.stderr.contains("Hunter2"), "\(result.stderr)")
            let wrapper = h.expectFailure("fabric provider list --store '\(item.url)'", 64, item.message)
            #expect(!wrapper.stderr.contains("Hunter2"))
        }
        // A server that is not there: a StoreError naming the store, and what to check.
        h.expectFailure("fabric-store list providers --store 'mysql://fabric@localhost/db?socket=\(h.directory.path)/none.sock'",
                        4, "StoreError: cannot connect to store mysql://fabric@localhost/db?socket=\(h.directory.path)/none.sock: ")
        h.expectFailure("fabric machine list demo --store 'mysql://fabric@localhost/db?socket=\(h.directory.path)/none.sock'",
                        4, "(is the server running? see: fabric-store path)")
        #expect(h.sh("fabric-store path --store 'mysql://fabric@[::1]:3307/fab%20ric?ssl=required'").stdout
                == "mysql://fabric@[::1]:3307/fab ric?ssl=required\n")
        #expect(h.sh("fabric-store path --store 'mysql://fabric@localhost/db?socket=\(socket)'").stdout
                == "mysql://fabric@localhost/db?socket=\(socket)\n")
        // A host list is shown as given, IPv6 addresses in brackets; when no host answers, the
        // error names each and why, and check says the same in its record.
        #expect(h.sh("fabric-store path --store 'mysql://fab@127.0.0.1:13301,[::1]:13302,db3.example/fabric?ssl=required'").stdout
                == "mysql://fab@127.0.0.1:13301,[::1]:13302,db3.example/fabric?ssl=required\n")
        let none = "mysql://fabric@127.0.0.1:1,127.0.0.1:2/db"
        h.expectFailure("fabric-store list providers --store '\(none)'", 4,
                        "cannot connect to store \(none): no host answers: 127.0.0.1:1: Can't connect to server on '127.0.0.1'")
        let down = h.sh("fabric-store check --store '\(none)'")
        #expect(down.status == 4 && down.stderr.contains("127.0.0.1:2: Can't connect"), "\(down.stderr)")
        #expect(down.records.first?["healthy"] as? Bool == false && down.records.first?["used"] is NSNull, "\(down.stdout)")
        #expect((down.records.first?["hosts"] as? [[String: Any]])?.map { $0["answers"] as? Bool } == [false, false], "\(down.stdout)")
        h.expectFailure("fabric-store list providers --store-password-file /dev/null --store \(h.directory.path)/x.db", 64,
                        "--store-password-file is for a mysql:// store, and the store is the SQLite file")
    }

    /// The password comes from --store-password-file (wrapper: --store_password_file, read once,
    /// even from a pipe), FABRIC_STORE_PASSWORD or ~/.my.cnf, in that order; a wrong one is a
    /// StoreError that does not show it.
    @Test func thePasswordComesFromAFileTheEnvironmentOrMyCnf() {
        let h = Harness(.mysql)
        let password = Self.server.password
        h.registerNull()
        // No password at all: refused, and the hint names every source.
        let noPassword = h.sh("env -u FABRIC_STORE_PASSWORD fabric-store list providers")
        #expect(noPassword.status == 4, "\(noPassword.stderr)")
        #expect(noPassword.stderr.contains("Access denied for user 'fabric'@'localhost' (using password: NO)"), "\(noPassword.stderr)")
        #expect(noPassword.stderr.contains("$FABRIC_STORE_PASSWORD, --store-password-file, ~/.my.cnf"), "\(noPassword.stderr)")
        let wrong = h.sh("FABRIC_STORE_PASSWORD=Wr0ng-Guess fabric-store list providers")
        #expect(wrong.status == 4 && wrong.stderr.contains("(using password: YES)"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("Wr0ng-Guess"))
        _ = h.write("pw.txt", password + "\n")
        // A file beats the environment; /dev/fd/N works; the wrapper reads its file once for
        // the whole pipeline.
        #expect(h.sh("FABRIC_STORE_PASSWORD=Wr0ng-Guess fabric-store list providers --store-password-file pw.txt | jq -r .provider_id").stdout == "demo\n")
        #expect(h.sh("env -u FABRIC_STORE_PASSWORD fabric-store list providers --store-password-file <(cat pw.txt) | jq -r .provider_id").stdout == "demo\n")
        let create = h.sh("env -u FABRIC_STORE_PASSWORD fabric --json machine create demo --number_machines 2 --store_password_file <(cat pw.txt)")
        #expect(create.status == 0 && create.records.count == 2, "\(create.stderr)")
        #expect(h.sh("env -u FABRIC_STORE_PASSWORD fabric --json machine list demo --store-password-file pw.txt").records.count == 2)
        // ~/.my.cnf (HOME is the test's directory), in [client] or [fabric].
        for group in ["client", "fabric"] {
            _ = h.write(".my.cnf", "[\(group)]\npassword=\(password)\n")
            #expect(h.sh("env -u FABRIC_STORE_PASSWORD fabric-store list providers | jq -r .provider_id").stdout == "demo\n", "[\(group)]")
        }
    }

    /// TLS when asked: ssl=required against a user that the server only lets in over TLS, and
    /// ssl_ca verifying the server's certificate (a CA that did not sign it is refused).
    @Test func tlsIsUsedWhenAskedAndTheCertificateIsVerified() throws {
        let h = Harness(.mysql)
        let user = "tls_" + h.database.suffix(8)
        let admin = h.sh("""
            mariadb --defaults-file='\(Self.server.clientOptions)' -e "CREATE USER '\(user)'@'127.0.0.1' IDENTIFIED BY '$FABRIC_STORE_PASSWORD' REQUIRE SSL; GRANT ALL ON *.* TO '\(user)'@'127.0.0.1'"
            """)
        #expect(admin.status == 0, "\(admin.stderr)")
        let tcp = "mysql://\(user)@127.0.0.1:\(Self.server.port)/\(h.database)"
        let plain = h.sh("fabric-store list providers --store '\(tcp)'")
        #expect(plain.status == 4 && plain.stderr.contains("Access denied"), "without TLS the server refuses: \(plain.stderr)")
        let required = h.sh("fabric-store lock --store '\(tcp)?ssl=required' tls-check -- true && echo ok")
        #expect(required.status == 0 && required.stdout == "ok\n", "\(required.stderr)")
        let verified = h.sh("""
            FABRIC_PASSWORD=pw fabric-store register tls --type null --username a --url null:// --tenant t \
              --store '\(tcp)?ssl_ca=\(Self.server.caFile)' | jq -r .provider_id
            """)
        #expect(verified.stdout == "tls\n", "\(verified.stderr)")
        let otherCA = h.sh("""
            openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=other CA' -keyout other-key.pem -out other.pem 2> /dev/null &&
            fabric-store list providers --store '\(tcp)?ssl_ca=\(h.directory.path)/other.pem'
            """)
        #expect(otherCA.status == 4, "a certificate the CA did not sign is refused: \(otherCA.stderr)")
        #expect(otherCA.stderr.contains("StoreError: cannot connect to store"), "\(otherCA.stderr)")
    }

    /// Two admin hosts: separate processes with their own homes and their own URLs for the same
    /// database (the unix socket and TCP), 8 creates each at once on the null provider: every
    /// machine recorded once, every address given once, no error, and both hosts see the same.
    @Test func twoAdminHostsCreateEightMachinesEachAtOnce() {
        let h = Harness(.mysql)
        h.registerNull()
        let tcp = Self.server.tcpURL(database: h.database)
        let started = Date()
        let result = h.sh("""
            host() { # name store
              local name=$1 i failed=0
              export FABRIC_STORE=$2 HOME=$PWD/$1
              mkdir -p "$HOME"
              for i in $(seq 8); do fabric --json machine create demo --number_machines 2 > "$name.out.$i" 2> "$name.err.$i" & done
              for job in $(jobs -p); do wait "$job" || failed=$((failed + 1)); done
              echo "$name failed $failed"
            }
            host a "$FABRIC_STORE" > a.result & host b '\(tcp)' > b.result & wait
            cat a.result b.result a.err.* b.err.*
            """)
        let seconds = Date().timeIntervalSince(started)
        #expect(result.stdout == "a failed 0\nb failed 0\n", "\(result.stdout) \(result.stderr)")
        #expect(h.sql("SELECT count(*), count(DISTINCT machine_uuid) FROM machines") == ["32|32"])
        #expect(h.sql("SELECT count(*), count(DISTINCT private_address) FROM null_servers") == ["32|32"])
        #expect(h.sql("SELECT count(DISTINCT group_id) FROM machines") == ["16"], "one group per create")
        let fromA = h.sh("fabric --json machine list demo | jq -r .uuid | sort")
        let fromB = h.sh("fabric --json machine list demo --store '\(tcp)' | jq -r .uuid | sort")
        #expect(fromA.lines.count == 32 && fromA.stdout == fromB.stdout, "both hosts see the same machines")
        #expect(h.sh("fabric-list-machines -p demo --store '\(tcp)' | wc -l").stdout.trimmingCharacters(in: .whitespaces) == "32\n",
                "and the same emulated cloud")
        print("mysql: two admin hosts x 8 machine creates at once: \(h.sql("SELECT count(*) FROM machines").first ?? "?") machines, 0 errors, \(String(format: "%.1f", seconds)) s")
    }

    /// The store's password is in no process's command line while a create runs, and nothing
    /// any command prints holds it, whether it came by file, environment or ~/.my.cnf.
    @Test func theStorePasswordIsInNoCommandLineAndNoOutput() {
        let h = Harness(.mysql)
        let pwFile = h.write("pw.txt", Self.server.password + "\n")
        h.registerNull(extra: ["latency_ms=100"])
        let scan = h.sh("""
            env -u FABRIC_STORE_PASSWORD FABRIC_DEBUG=1 fabric machine create demo --number_machines 2 --public_network public \
              --store_password_file \(pwFile) > out.txt 2>&1 & pid=$!
            scans=0; hits=0
            while kill -0 "$pid" 2> /dev/null && ((SECONDS < 300)); do  # bounded: 5 minutes at most
              found=$(grep -l -a -F -f \(pwFile) /proc/[0-9]*/cmdline 2> /dev/null)
              # Which process, its command line with the password masked: the log must not hold it either.
              [[ -n $found ]] && { hits=$((hits + 1)); for f in $found; do
                line=$(tr '\\0' ' ' < "$f" 2> /dev/null | head -c 400); echo "in: $f: ${line//"$(head -n 1 \(pwFile))"/<password>}"; done; }
              scans=$((scans + 1))
            done
            kill -0 "$pid" 2> /dev/null && { echo "still running after 300 s"; kill "$pid"; }
            wait "$pid"; echo "status $?"; echo "scans $scans hits $hits"
            fabric --json machine list demo >> out.txt 2>&1
            FABRIC_STORE_PASSWORD=wrong fabric-store list machines >> out.txt 2>&1
            fabric-store export >> out.txt 2>&1
            grep -c -F -f \(pwFile) out.txt
            """)
        #expect(scan.stdout.contains("status 0"), "\(scan.stdout)")
        #expect(scan.stdout.contains("hits 0"), "\(scan.stdout)")
        #expect(!scan.stdout.contains("scans 0 "), "the create ended before a scan: \(scan.stdout)")
        #expect(scan.stdout.hasSuffix("\n0\n"), "no output holds the store's password: \(scan.stdout)")
    }

    /// A connection the server drops between two statements (KILL, as a restart or a server's
    /// idle timeout does) is opened again, and the command carries on: a read, and a write
    /// transaction.
    @Test func aConnectionDroppedBetweenStatementsIsOpenedAgain() {
        let h = Harness(.mysql)
        h.registerNull(extra: ["latency_ms=1500"])
        #expect(h.sh("fabric machine create demo --number_machines 2").status == 0)
        // Once the tool's connection is idle (it waits out the provider's latency before its
        // next statement), kill it. Found and killed in one block run by the server itself
        // (polling up to 20 s), not by two client processes whose start-up on a busy machine
        // could outlast the idle moment.
        _ = h.write("kill-idle.sql", """
            BEGIN NOT ATOMIC
              DECLARE tries INT DEFAULT 0;
              DECLARE killed INT DEFAULT 0;
              DECLARE gone INT DEFAULT 0;
              -- A connection that closed since it was listed was not killed: not counted.
              DECLARE CONTINUE HANDLER FOR 1094 SET gone = 1;
              WHILE killed = 0 AND tries < 400 DO
                FOR idle IN (SELECT id FROM information_schema.PROCESSLIST
                             WHERE db = DATABASE() AND id <> CONNECTION_ID() AND command = 'Sleep') DO
                  SET gone = 0;
                  KILL idle.id;
                  IF gone = 0 THEN SET killed = killed + 1; END IF;
                END FOR;
                IF killed = 0 THEN DO SLEEP(0.05); SET tries = tries + 1; END IF;
              END WHILE;
              SELECT IF(killed > 0, 'killed', 'none idle');
            END
            //

            """)
        let killer = "mariadb --defaults-file='\(Self.server.clientOptions)' -N -B -r --delimiter=// \(h.database) < kill-idle.sql"
        let list = h.sh("fabric-list-machines -p demo > listed.jsonl & pid=$!\n\(killer)\nwait $pid; echo \"status $?\"; wc -l < listed.jsonl")
        #expect(list.stdout.contains("killed") && list.stdout.hasSuffix("status 0\n2\n"), "\(list.stdout) \(list.stderr)")
        let uuid = h.sh("fabric-store list machines | jq -r .uuid | head -n 1").stdout.trimmingCharacters(in: .newlines)
        _ = h.sh("fabric-store list machines -p demo --uuid \(uuid) > record.jsonl")
        let destroy = h.sh("fabric-destroy < record.jsonl > destroyed.jsonl & pid=$!\n\(killer)\nwait $pid; echo \"status $?\"")
        #expect(destroy.stdout.contains("killed") && destroy.stdout.hasSuffix("status 0\n"), "\(destroy.stdout) \(destroy.stderr)")
        #expect(h.sql("SELECT count(*) FROM null_servers WHERE id = '\(uuid)'") == ["0"], "the machine was destroyed")
        #expect(h.cloudMachines() == 1)
    }

    /// Eight processes that open a new database at once: the schema is made once, the others
    /// wait for it; and a store of a newer schema is refused.
    @Test func aNewStoreOpenedByEightProcessesAtOnceIsMigratedOnce() {
        let h = Harness(.mysql)
        let result = h.sh("""
            for i in $(seq 8); do FABRIC_PASSWORD=pw fabric-store register "p$i" --type null --username a --url null:// --tenant t > /dev/null 2> "err.$i" & done
            failed=0; for job in $(jobs -p); do wait "$job" || failed=$((failed + 1)); done
            echo "failed $failed"; cat err.*
            """)
        #expect(result.stdout == "failed 0\n", "\(result.stdout)")
        #expect(h.sql("SELECT id, version FROM fabric_schema") == ["1|8"])
        #expect(h.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()") == ["12"])
        #expect(h.sql("SELECT engine, table_collation FROM information_schema.tables WHERE table_name = 'machines' AND table_schema = DATABASE()")
                == ["InnoDB|utf8mb4_nopad_bin"])
        _ = h.sql("UPDATE fabric_schema SET version = 99")
        h.expectFailure("fabric-store list providers", 4, "has schema version 99, newer than this fabric (8) (upgrade fabric)")
    }

    /// Connector/C is loaded when a mysql:// store is used, and not otherwise.
    @Test func connectorCIsLoadedOnlyForAMySQLStore() {
        let sqlite = Harness(.sqlite)
        let mysql = Harness(.mysql)
        sqlite.registerNull()
        mysql.registerNull()
        let tool = Harness.binDirectory.appendingPathComponent("fabric-store").path
        let embedded = sqlite.sh("LD_DEBUG=libs '\(tool)' list providers")
        #expect(embedded.status == 0 && embedded.stderr.contains("libsqlite3"), "\(embedded.stderr.suffix(300))")
        #expect(!embedded.stderr.contains("libmariadb"))
        let shared = mysql.sh("LD_DEBUG=libs '\(tool)' list providers")
        #expect(shared.status == 0 && shared.stderr.contains("libmariadb.so.3"), "\(shared.stderr.suffix(300))")
    }

    /// The server killed (SIGKILL) in the middle of a 20,000-row `fabric-store add`: the command
    /// fails with a StoreError that says what happened, commands fail clearly while the server
    /// is down, and after the restart everything committed before is there and nothing of the
    /// killed transaction. The server is this test's own, so other tests go on.
    ///
    /// The moment does not depend on timing: another session holds an uncommitted row with the
    /// key of record 10,000, so the add stops there (a lock wait) with 9,999 rows written and
    /// uncommitted, and the server is killed once InnoDB shows it waiting.
    @Test func aServerKilledMidCommandLosesNothingCommitted() throws {
        let h = Harness(.mysql)
        let directory = h.directory.appendingPathComponent("server").path
        let started = h.run(MySQLTestServer.script, ["start", directory])
        try #require(started.status == 0, "\(started.stderr)")
        defer { _ = h.run(MySQLTestServer.script, ["stop", directory]) }
        let password = try String(contentsOfFile: directory + "/password", encoding: .utf8).trimmingCharacters(in: .newlines)
        let env = ["FABRIC_STORE": "mysql://fabric@localhost/fabric?socket=\(directory)/mysqld.sock", "FABRIC_STORE_PASSWORD": password]
        let client = "mariadb --defaults-file='\(directory)/client.cnf' -N -B fabric"
        #expect(h.sh("fabric provider register demo admin secret null:// demo --provider_type null --default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium > /dev/null && fabric machine create demo --number_machines 3 --wait_spawning > /dev/null", env: env).status == 0)
        let kill = h.sh(#"""
            until_count() { # until_count N SQL: waits (up to 60 s) until the query's number is at least N
              for _ in $(seq 600); do (( $(\#(client) -e "$2" || echo 0) >= $1 )) && return 0; sleep 0.1; done
              echo "timed out waiting for: $2"; return 1
            }
            for i in $(seq 20000); do printf '{"kind":"machine","provider_id":"demo","uuid":"m-%06d"}\n' "$i"; done > big.jsonl
            { echo "BEGIN; INSERT INTO machines (machine_uuid, provider_id, created, record) VALUES ('m-010000', 'demo', 'held', '{}');"
              echo "SELECT SLEEP(600);"; } | \#(client) > /dev/null 2>&1 & holder=$!
            until_count 1 "SELECT count(*) FROM information_schema.innodb_trx"
            fabric-store add < big.jsonl > /dev/null 2> add.err & pid=$!
            until_count 9999 "SELECT COALESCE(MAX(trx_rows_modified), 0) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'"
            kill -KILL "$(< '\#(directory)/mysqld.pid.launch')"
            wait "$pid"; echo "status $?"; cat add.err
            wait "$holder"
            fabric machine list demo 2>&1; echo "down $?"
            """#, env: env)
        #expect(kill.stdout.contains("status 4\n"), "\(kill.stdout)")
        #expect(kill.stdout.contains("fabric-store: StoreError: store mysql://fabric@localhost/fabric?socket="), "\(kill.stdout)")
        #expect(kill.stdout.contains("Lost connection") || kill.stdout.contains("gone away"), "\(kill.stdout)")
        #expect(kill.stdout.contains("nothing of this command's change was stored"), "\(kill.stdout)")
        #expect(kill.stdout.contains("cannot connect to store") && kill.stdout.contains("down 4"), "\(kill.stdout)")
        #expect(!kill.stdout.contains(password), "no message holds the password")
        let again = h.run(MySQLTestServer.script, ["start", directory])
        try #require(again.status == 0, "\(again.stderr)")
        let after = h.sh("""
            fabric --json machine list demo | wc -l
            \(client) -e 'SELECT count(*) FROM machines; SELECT count(*) FROM null_servers; CHECK TABLE machines'
            fabric --json machine create demo > /dev/null && echo created
            """, env: env)
        #expect(after.stdout.hasPrefix("3\n3\n3\nfabric.machines\tcheck\tstatus\tOK\ncreated\n"), "\(after.stdout) \(after.stderr)")
        print("mysql: server killed mid-add: \(kill.stdout.split(separator: "\n").first { $0.hasPrefix("fabric-store:") } ?? "?")")
    }

    // MARK: transactions MariaDB rolls back, retried (MySQLDatabase.transaction)

    /// A second session (the mariadb client, fed through a FIFO) that holds an uncommitted row
    /// with the key of the add's first record, m-1, so the add's transaction waits on it; the
    /// script prints the id of each of the add's transactions seen waiting, and what the holder
    /// said. `between` runs once the first attempt waits, and the holder rolls back once a
    /// second attempt waits: nothing of it is left, and the add's three rows must be there once.
    func retriedAdd(_ h: Harness, holderRows: Int, between: String) -> Harness.Result {
        let client = "mariadb --defaults-file='\(Self.server.clientOptions)' -N -B -r -n --force \(h.database)"
        return h.sh(#"""
            waiting() { # waiting [ID]: the id of a transaction of this test's database in LOCK WAIT, other than ID (up to 60 s)
              local id
              for _ in $(seq 600); do
                id=$(\#(client) -e "SELECT trx_id FROM information_schema.innodb_trx JOIN information_schema.processlist ON id = trx_mysql_thread_id WHERE db = '\#(h.database)' AND trx_state = 'LOCK WAIT' AND trx_id <> '${1:-0}'" 2> /dev/null | head -n 1)
                [[ -n $id ]] && { echo "$id"; return 0; }
                sleep 0.1
              done
              echo none; return 1
            }
            said() { # said TEXT: waits (up to 60 s) until the holder has printed TEXT
              for _ in $(seq 600); do grep -q -- "$1" holder.out && return 0; sleep 0.1; done; return 1
            }
            mkfifo holder.sql
            \#(client) < holder.sql > holder.out 2>&1 & holder=$!
            exec 3> holder.sql
            echo "BEGIN; INSERT INTO machines (machine_uuid, provider_id, created, record) VALUES ('m-1', 'demo', 'held', '{}');" >&3
            for i in $(seq \#(holderRows)); do
              echo "INSERT INTO machines (machine_uuid, provider_id, created, record) VALUES ('held-$i', 'demo', 'held', '{}');" >&3
            done
            echo "SELECT 'holding';" >&3
            said holding || echo "the holder never held m-1"
            printf '{"kind":"machine","provider_id":"demo","uuid":"m-%d"}\n' 1 2 3 | fabric-store add > /dev/null 2> add.err & pid=$!
            first=$(waiting); echo "first attempt waits: $first"
            \#(between)
            echo "retry waits: $(waiting "$first")"
            echo "ROLLBACK;" >&3; exec 3>&-
            wait "$pid"; echo "add status $?"; cat add.err
            wait "$holder"; echo "holder said: $(tr '\n' ' ' < holder.out)"
            """#)
    }

    func expectRetried(_ h: Harness, _ result: Harness.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = result.lines
        let first = lines.first { $0.hasPrefix("first attempt waits: ") }?.dropFirst("first attempt waits: ".count)
        let retry = lines.first { $0.hasPrefix("retry waits: ") }?.dropFirst("retry waits: ".count)
        #expect(first != nil && first != "none" && retry != nil && retry != "none" && first != retry,
                "the add's transaction was rolled back and run again: \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.contains("add status 0"), "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(h.sql("SELECT machine_uuid FROM machines ORDER BY machine_uuid") == ["m-1", "m-2", "m-3"],
                "each row of the add once, none of the holder's", sourceLocation: sourceLocation)
    }

    /// A real deadlock: the add holds fabric_schema's row (its write lock) and waits for m-1;
    /// the holder, heavier (21 rows), then updates fabric_schema. InnoDB rolls back the lighter
    /// add (1213), whose transaction runs again and waits once more, now for fabric_schema.
    @Test func aDeadlockIsRetriedWithoutALostOrDoubledRow() {
        let h = Harness(.mysql)
        h.registerNull()
        let result = retriedAdd(h, holderRows: 20, between: #"""
            echo "UPDATE fabric_schema SET writes = writes + 1; SELECT 'updated';" >&3
            said updated || echo "the holder's update never went through"
            """#)
        // The holder's update went through while the add's first transaction held that row:
        // that transaction was the deadlock's victim.
        #expect(result.stdout.contains("holder said: holding updated"), "\(result.stdout)")
        #expect(!result.stdout.contains("ERROR"), "the holder was not the victim: \(result.stdout)")
        expectRetried(h, result)
        print("mysql: deadlock: \(result.lines.filter { $0.contains("waits") }.joined(separator: ", "))")
    }

    /// A lock wait timeout (1205): the session's innodb_lock_wait_timeout is 1 s, set by an
    /// init-command in ~/.my.cnf (read by the store's connection, as an operator may set it).
    /// The add's first transaction times out on m-1 and runs again; a holder that never lets
    /// go outlasts every attempt, and the add then fails saying so, having stored nothing.
    @Test func aLockWaitTimeoutIsRetriedWithoutALostOrDoubledRow() {
        let h = Harness(.mysql)
        h.registerNull()
        _ = h.write(".my.cnf", "[fabric]\ninit-command=SET SESSION innodb_lock_wait_timeout = 1\n")
        let result = retriedAdd(h, holderRows: 0, between: "")
        #expect(!result.stdout.contains("ERROR"), "\(result.stdout)")
        expectRetried(h, result)

        let client = "mariadb --defaults-file='\(Self.server.clientOptions)' -N -B -r -n --force \(h.database)"
        let outlasted = h.sh("""
            mkfifo outlast.sql
            \(client) < outlast.sql > outlast.out 2>&1 & holder=$!
            exec 4> outlast.sql
            echo "BEGIN; INSERT INTO machines (machine_uuid, provider_id, created, record) VALUES ('m-4', 'demo', 'held', '{}'); SELECT 'holding';" >&4
            for _ in $(seq 600); do grep -q holding outlast.out && break; sleep 0.1; done
            printf '{"kind":"machine","provider_id":"demo","uuid":"m-%d"}\\n' 5 4 | fabric-store add; echo "add status $?"
            echo "ROLLBACK;" >&4; exec 4>&-; wait "$holder"
            """)
        #expect(outlasted.stdout.contains("add status 4"), "\(outlasted.stdout) \(outlasted.stderr)")
        #expect(outlasted.stderr.contains("Lock wait timeout exceeded") && outlasted.stderr.contains("(MySQL error 1205)")
                && outlasted.stderr.contains("another command held the store too long; run it again"), "\(outlasted.stderr)")
        #expect(h.sql("SELECT machine_uuid FROM machines ORDER BY machine_uuid") == ["m-1", "m-2", "m-3"], "nothing of the failed add")
    }
}
