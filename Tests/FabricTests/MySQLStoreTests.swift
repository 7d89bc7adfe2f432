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
        let required = h.sh("fabric-store list providers --store '\(tcp)?ssl=required' && echo ok")
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
}
