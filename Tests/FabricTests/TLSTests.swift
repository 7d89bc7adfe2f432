import Foundation
import Testing

/// TLS that is asked for is checked on the session that results, not on the option: against a
/// real MariaDB without TLS (have_ssl DISABLED), the run's TLS MariaDB with its own CA, a CA
/// that did not sign its certificate, and its certificate reached under a name it does not
/// carry. Machines reach the servers through forwarders on the null provider's loopback pool.
@Suite struct TLSTests {
    static let forwarder = Harness.root.appendingPathComponent("Tests/Readiness/delayed_forward.py").path

    /// A TCP forwarder from ADDRESS:PORT to the server's port on 127.0.0.1, listening when this
    /// returns (it says so on its standard output); it ends with the test process.
    func forward(_ address: String, port: Int, to server: MySQLTestServer) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.forwarder, "--listen", "\(address):\(port)", "--to", "127.0.0.1:\(server.port)",
                             "--delay", "0", "--parent", String(getpid()), "--lifetime", "120"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        #expect(line.contains("listening"), "the forwarder on \(address):\(port) did not start: \(line)")
        return process
    }

    func registerPool(_ h: Harness, _ address: String) {
        let result = h.sh("fabric provider register db admin secret null:// demo --provider_type null "
                          + "--default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium --extra address_pool=\(address)-\(address)")
        #expect(result.status == 0, "\(result.stderr)")
    }

    func expectNothingLeft(_ h: Harness, sourceLocation: SourceLocation = #_sourceLocation) {
        let cloud = h.sh("fabric-list-machines -p db"), rows = h.sh("fabric-store list machines")
        #expect(cloud.status == 0 && cloud.stdout.isEmpty, "machines left: \(cloud.stdout)\(cloud.stderr)", sourceLocation: sourceLocation)
        #expect(rows.status == 0 && rows.stdout.isEmpty, "rows left: \(rows.stdout)\(rows.stderr)", sourceLocation: sourceLocation)
    }

    /// The databases of a server whose name begins with `prefix`, read with its own client.
    func databases(on server: MySQLTestServer, like prefix: String) -> [String] {
        Harness().run("/usr/bin/mariadb", ["--defaults-file=\(server.clientOptions)", "-N", "-B", "-e",
                                           "SHOW DATABASES LIKE '\(prefix)%'"]).lines
    }

    // MARK: the mysql stage

    @Test func theMySQLStageRefusesALoginWithoutTLSWhenTLSIsAsked() throws {
        let h = Harness(), plain = MySQLTestServer.withoutTLS, port = try Listener.freePort()
        registerPool(h, "127.0.0.7")
        let forwarder = try forward("127.0.0.7", port: port, to: plain)
        defer { forwarder.terminate() }
        let password = ["FABRIC_MYSQL_PASSWORD": plain.password]
        let refused = h.expectFailure("fabric machine create db --ready mysql:\(port) --mysql_user fabric --mysql_tls --timeout 60",
                                      1, "127.0.0.7:\(port) is not encrypted", env: password)
        #expect(refused.stderr.contains("TLS") && refused.stderr.contains("failed at mysql:\(port)"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(plain.password))
        expectNothingLeft(h)
        // The server itself is fine: without --mysql_tls the same machine is ready.
        let plainLogin = h.sh("fabric --json machine create db --ready mysql:\(port) --mysql_user fabric --timeout 60", env: password)
        #expect(plainLogin.status == 0 && plainLogin.records.count == 1, "\(plainLogin.stderr)")
    }

    @Test func theMySQLStageLogsInOverTLSWhenTheServerHasIt() throws {
        let h = Harness(), server = MySQLTestServer.shared, port = try Listener.freePort()
        registerPool(h, "127.0.0.8")
        // A user the server lets in over TLS only: a login that succeeds was encrypted.
        let user = "tlsonly_" + h.database.suffix(8)
        let admin = h.run("/usr/bin/mariadb", ["--defaults-file=\(server.clientOptions)", "-e",
                                               "CREATE USER '\(user)'@'127.0.0.1' IDENTIFIED BY 'pw-\(user)' REQUIRE SSL"])
        #expect(admin.status == 0, "\(admin.stderr)")
        let forwarder = try forward("127.0.0.8", port: port, to: server)
        defer { forwarder.terminate() }
        let created = h.sh("fabric --json machine create db --ready mysql:\(port) --mysql_user \(user) --mysql_tls --timeout 60",
                           env: ["FABRIC_MYSQL_PASSWORD": "pw-\(user)"])
        #expect(created.status == 0 && created.records.count == 1, "\(created.stderr)")
    }

    // MARK: the store

    @Test func aStoreThatAsksForTLSRefusesAServerWithoutIt() throws {
        let h = Harness(), plain = MySQLTestServer.withoutTLS
        let url = "mysql://fabric@127.0.0.1:\(plain.port)/\(h.database)"
        let password = ["FABRIC_STORE_PASSWORD": plain.password]
        for options in ["ssl=required", "ssl_ca=\(MySQLTestServer.shared.caFile)"] {
            for command in ["fabric-store list providers", "fabric-store check",
                            "FABRIC_PASSWORD=pw fabric-store register tls --type null --username a --url null:// --tenant t"] {
                // Refused by fabric's check of the session, or (with a CA to verify against)
                // by Connector/C itself: either way naming the host and TLS.
                let result = h.expectFailure("\(command) --store '\(url)?\(options)'", 4, "StoreError", env: password)
                #expect(result.stderr.contains("127.0.0.1:\(plain.port)") && result.stderr.contains("TLS"),
                        "\(options) \(command): \(result.stderr)")
                if options == "ssl=required" {
                    #expect(result.stderr.contains("127.0.0.1:\(plain.port) is not encrypted"), "\(result.stderr)")
                }
                #expect(!result.stderr.contains(plain.password))
            }
        }
        #expect(databases(on: plain, like: h.database).isEmpty, "a store that refused its server made its database there")
        // Without TLS asked for, the same server takes the store: the refusal was TLS's alone.
        let registered = h.sh("FABRIC_PASSWORD=pw fabric-store register tls --type null --username a --url null:// --tenant t "
                              + "--store '\(url)' | jq -r .provider_id", env: password)
        #expect(registered.stdout == "tls\n", "\(registered.stderr)")
    }

    @Test func sslCAVerifiesTheCertificateAndTheNameItIsReachedBy() throws {
        let h = Harness(), server = MySQLTestServer.shared
        let password = ["FABRIC_STORE_PASSWORD": server.password]
        let named = "mysql://fabric@127.0.0.1:\(server.port)/\(h.database)?ssl_ca=\(server.caFile)"
        let registered = h.sh("FABRIC_PASSWORD=pw fabric-store register ca --type null --username a --url null:// --tenant t "
                              + "--store '\(named)' | jq -r .provider_id", env: password)
        #expect(registered.stdout == "ca\n", "the right CA and the certificate's own address: \(registered.stderr)")
        // The same server and certificate under an address the certificate does not name
        // (localhost and 127.0.0.1 only): refused, as a server in the middle would be.
        let port = try Listener.freePort()
        let forwarder = try forward("127.0.0.9", port: port, to: server)
        defer { forwarder.terminate() }
        let elsewhere = "mysql://fabric@127.0.0.9:\(port)/\(h.database)?ssl_ca=\(server.caFile)"
        let misnamed = h.expectFailure("fabric-store list providers --store '\(elsewhere)'", 4, "cannot connect to store", env: password)
        #expect(misnamed.stderr.contains("127.0.0.9"), "\(misnamed.stderr)")
        // Without the CA (ssl=required) that name is not checked: TLS, unverified, as asked.
        let unverified = h.sh("fabric-store list providers --store 'mysql://fabric@127.0.0.9:\(port)/\(h.database)?ssl=required' "
                              + "| jq -r .provider_id", env: password)
        #expect(unverified.status == 0 && unverified.stdout == "ca\n", "\(unverified.stderr)")
        // A CA that did not sign the certificate.
        let otherCA = h.expectFailure("""
            openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=other CA' -keyout other-key.pem -out other.pem 2> /dev/null &&
            fabric-store list providers --store 'mysql://fabric@127.0.0.1:\(server.port)/\(h.database)?ssl_ca=\(h.directory.path)/other.pem'
            """, 4, "cannot connect to store", env: password)
        #expect(!otherCA.stderr.contains(server.password))
    }
}
