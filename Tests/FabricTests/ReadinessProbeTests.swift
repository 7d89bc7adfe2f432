import Foundation
import Testing
@testable import FabricCLI
@testable import FabricHTTP
@testable import FabricRecords
@testable import FabricStore

/// The pieces of "fully operational" (the spec's --wait_spawning): the chain of ready stages,
/// the TCP probe of the `port` and `mysql` stages, the MySQL greeting and the login with
/// `SELECT 1`, against real listeners on loopback and the run's real MariaDB server.
@Suite struct ReadinessProbeTests {
    // MARK: stages

    @Test func aChainIsCompletedAndKeptInOrder() throws {
        #expect(try ReadyStage.chain(parsing: "active", option: "--until") == [.active])
        #expect(try ReadyStage.chain(parsing: "cloud-init", option: "--until") == [.active, .cloudInit])
        #expect(try ReadyStage.chain(parsing: "mysql", option: "--until") == [.active, .address, .mysql(3306)])
        #expect(try ReadyStage.chain(parsing: "port:22,cloud-init,mysql:3307", option: "--until")
                == [.active, .address, .port(22), .cloudInit, .mysql(3307)])
        #expect(try ReadyStage.chain(parsing: "active, address", option: "--until") == [.active, .address])
        #expect(try ReadyStage.chain(parsing: "port:22,port:3306", option: "--until") == [.active, .address, .port(22), .port(3306)])
        #expect(ReadyStage.mysql(3306).description == "mysql:3306" && ReadyStage.cloudInit.description == "cloud-init")
    }

    @Test(arguments: [
        ("mysql,active", "stage active comes before mysql:3306"),
        ("cloud-init,port:22", "stage port:22 comes before cloud-init"),
        ("ready", "unknown stage \"ready\""),
        ("port", "stage \"port\" needs a port"),
        ("port:0", "must be a number from 1 to 65535"),
        ("port:65536", "must be a number from 1 to 65535"),
        ("mysql:+1", "must be a number from 1 to 65535"),
        ("mysql:x", "must be a number from 1 to 65535"),
        ("active:1", "stage \"active\" takes no port"),
        ("active,,mysql", "an empty stage"),
        ("mysql,mysql", "stage mysql:3306 is given twice"),
        ("", "an empty stage"),
    ])
    func aBadChainIsAUsageError(text: String, expected: String) {
        do {
            _ = try ReadyStage.chain(parsing: text, option: "--until")
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.kind == .usage)
            #expect(error.message.hasPrefix("--until: ") && error.message.contains(expected), "\(error.message)")
        }
    }

    // MARK: the TCP probe

    @Test func aListeningPortIsOpenAndAClosedOneIsNot() throws {
        let listener = try Listener()
        let closedPort = try Listener.freePort()
        let outcomes = TCPProbe(timeout: 2).probe([
            .init(id: "up", address: "127.0.0.1", port: listener.port),
            .init(id: "down", address: "127.0.0.1", port: closedPort),
            .init(id: "name", address: "localhost", port: listener.port),
        ])
        #expect(outcomes["up"] == .open(greeting: []))
        #expect(outcomes["down"] == .closed("Connection refused"))
        // Names are never looked up: a machine's address is an IP address.
        #expect(outcomes["name"] == .closed("\"localhost\" is not an IP address"))
    }

    /// One round, by order rather than by time: the ten listening targets are one server that
    /// greets no one until all ten have connected (BarrierGreeter), so only a probe that has
    /// every connection open at once is greeted at all; a probe that went one at a time would
    /// wait for its first greeting until the server gave up.
    @Test func twentyMachinesAreProbedInOneRound() throws {
        let listener = try Listener()
        let greeter = BarrierGreeter(listener, count: 10, seconds: 15)
        var targets = (0..<10).map { TCPProbe.Target(id: "up\($0)", address: "127.0.0.1", port: listener.port) }
        for index in 0..<10 { targets.append(.init(id: "down\(index)", address: "127.0.0.1", port: try Listener.freePort())) }
        let outcomes = TCPProbe(timeout: 20, greeting: .init(limit: MySQLGreeting.limit, length: { MySQLGreeting.frameLength($0) }))
            .probe(targets)
        #expect(greeter.wait() == 10, "the ten were not connected at once")
        #expect(outcomes.filter { $0.value == .open(greeting: BarrierGreeter.packet) }.count == 10, "\(outcomes)")
        #expect(outcomes.keys.filter { $0.hasPrefix("down") }.allSatisfy { outcomes[$0] == .closed("Connection refused") })
    }

    @Test func aServerThatAcceptsAndSaysNothingHasNoGreeting() throws {
        let listener = try Listener()
        let probe = TCPProbe(timeout: 0.5, greeting: .init(limit: MySQLGreeting.limit, length: { MySQLGreeting.frameLength($0) }))
        let start = Date()
        let outcome = probe.probe([.init(id: "m", address: "127.0.0.1", port: listener.port)])["m"]
        #expect(outcome == .closed("connected, but no greeting within 0.5 s"))
        // The outcome says the probe's own timeout ended it; this bound only catches a probe
        // that hangs, generous (40 times the timeout) for a busy machine.
        #expect(Date().timeIntervalSince(start) < 20)
    }

    // MARK: MySQL, against the run's MariaDB server

    @Test func theMariaDBServerGreetsWithItsVersion() throws {
        let server = MySQLTestServer.shared
        let probe = TCPProbe(timeout: 5, greeting: .init(limit: MySQLGreeting.limit, length: { MySQLGreeting.frameLength($0) }))
        guard case .open(let bytes) = probe.probe([.init(id: "db", address: "127.0.0.1", port: Int(server.port)!)])["db"] else {
            Issue.record("the server did not answer")
            return
        }
        guard case .handshake(let version) = MySQLGreeting(bytes) else {
            Issue.record("not a handshake: \(bytes.prefix(16))")
            return
        }
        #expect(version.contains("MariaDB"), "\(version)")
    }

    @Test func greetingsThatAreNotMySQLAreToldApart() {
        #expect(MySQLGreeting(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)) == .notMySQL)
        #expect(MySQLGreeting(Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)) == .notMySQL)
        #expect(MySQLGreeting([1, 0]) == .notMySQL)
        let tooMany: [UInt8] = [0xFF, 0x10, 0x04] + Array("Too many connections".utf8)
        let packet = [UInt8(tooMany.count), 0, 0, 0] + tooMany
        #expect(MySQLGreeting(packet) == .refused(code: 1040, message: "Too many connections"))
        let handshake: [UInt8] = [10] + Array("8.4.3".utf8) + [0, 1, 2, 3]
        #expect(MySQLGreeting([UInt8(handshake.count), 0, 0, 0] + handshake) == .handshake(serverVersion: "8.4.3"))
    }

    @Test func aLoginRunsSelectOne() {
        let server = MySQLTestServer.shared
        let outcome = MySQLLogin(user: "fabric", password: server.password).check(address: "127.0.0.1", port: Int(server.port)!)
        guard case .ready(let version) = outcome else {
            Issue.record("not ready: \(outcome)")
            return
        }
        #expect(version.contains("MariaDB"))
    }

    @Test func aWrongPasswordIsDeniedAndNotRepeated() {
        let server = MySQLTestServer.shared
        let wrong = "not-\(server.password)"
        let outcome = MySQLLogin(user: "fabric", password: wrong).check(address: "127.0.0.1", port: Int(server.port)!)
        guard case .denied(let message) = outcome else {
            Issue.record("not denied: \(outcome)")
            return
        }
        #expect(message.contains("Access denied") && message.contains("1045"))
        #expect(!message.contains(wrong) && !message.contains(server.password))
    }

    @Test func aServerNotYetListeningIsNotYetReady() throws {
        let outcome = MySQLLogin(user: "fabric", password: "x", timeout: 1).check(address: "127.0.0.1", port: try Listener.freePort())
        guard case .notYet(let message) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(message.contains("2002") || message.contains("2003"), "\(message)")
    }

    // MARK: the boot log, untrusted

    @Test func aBootLogOfBinaryBytesIsJudgedAndItsLineEscaped() {
        let judge = BootLogJudge()
        let junk: [UInt8] = [0xFF, 0xFE, 0x00, 0x1B] + Array("[31m garbage \u{7}\n".utf8)
        let failing = junk + Array("cloud-init[750]: subp.py[WARNING]: Failed running /var/lib/cloud/instance/scripts/part-001 \u{1B}[2J\n".utf8)
        guard case .failed(let line) = judge.judge(failing) else {
            Issue.record("a failure line in a binary log was not seen")
            return
        }
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{7F}" }, "a control character reaches the terminal: \(line)")
        #expect(line.contains("Failed running /var/lib/cloud") && line.contains("\\u{1b}[2J"), "\(line)")
        let finished = junk + Array("Cloud-init v. 24.1.4 finished at Thu, 04 Dec 2026 10:00:10 +0000. Up 10.10 seconds\n".utf8)
        #expect(judge.judge(finished) == .finished)
        #expect(judge.judge(junk + Array("echo FABRIC_READY\n".utf8)) == .finished)
        #expect(judge.judge(junk) == .running(lines: 1))
    }

    @Test func aHugeBootLogIsReadOnlyAsFarAsItsLastLines() {
        var judge = BootLogJudge()
        judge.lines = 100
        // An old failure beyond the last 100 lines does not count; 50 MB are not all read.
        let old = Array("Failed to run module scripts_user\n".utf8)
        let filler = Array(repeating: Array("[  1.0] kernel: a line of the boot log that goes on for a while\n".utf8), count: 800_000).flatMap { $0 }
        let start = Date()
        #expect(judge.judge(old + filler) == .running(lines: 100))
        #expect(Date().timeIntervalSince(start) < 5)
    }
}

/// A TCP listener on 127.0.0.1 that accepts (the kernel's backlog does) and never speaks.
/// A server on `listener` that accepts `count` connections and greets them, each with a MySQL
/// handshake, only once all are in; it gives up (closing what it accepted) after `seconds`.
final class BarrierGreeter: @unchecked Sendable {
    static let packet: [UInt8] = {
        let handshake: [UInt8] = [10] + Array("8.4.3".utf8) + [0, 1, 2, 3]
        return [UInt8(handshake.count), 0, 0, 0] + handshake
    }()
    private let done = DispatchSemaphore(value: 0)
    private var accepted = 0

    init(_ listener: Listener, count: Int, seconds: Double) {
        let socket = listener.socket
        Thread.detachNewThread { [self] in
            var clients: [Int32] = []
            let deadline = Date().addingTimeInterval(seconds)
            while clients.count < count && Date() < deadline {
                var ready = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                guard Glibc.poll(&ready, 1, 100) > 0 else { continue }
                let client = Glibc.accept(socket, nil, nil)
                if client >= 0 { clients.append(client) }
            }
            if clients.count == count {
                for client in clients { _ = Self.packet.withUnsafeBytes { Glibc.write(client, $0.baseAddress, $0.count) } }
            }
            for client in clients { Glibc.close(client) }
            accepted = clients.count
            done.signal()
        }
    }

    /// How many connections it had when it greeted them (or gave up).
    func wait() -> Int {
        done.wait()
        return accepted
    }
}

final class Listener {
    let socket: Int32
    let port: Int

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.socket = socket
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socket, 64) == 0 else { throw ListenerError.cannotListen }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socket) }

    /// A port on 127.0.0.1 that nothing listens on (bound a moment, then released).
    static func freePort() throws -> Int { try Listener().port }

    enum ListenerError: Error { case cannotListen }
}
