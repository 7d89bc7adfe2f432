import Foundation

/// The fake OpenStack cloud (Tests/FakeCloud/fake_openstack.py) as a real process on its own
/// port, with its control API at hand for knobs, faults and what it received.
final class FakeCloud {
    let process = Process()
    let url: String
    /// Set for a TLS fake: the CA file a client needs to trust it.
    let caFile: String?

    var identityV3: String { url + "/identity/v3" }
    var identityV2: String { url + "/identity/v2.0" }

    init(tls: Bool = false, latencyMS: Int = 0, buildSeconds: Double = 0.2, snapshotSeconds: Double = 0.2) throws {
        let script = Harness.root.appendingPathComponent("Tests/FakeCloud/fake_openstack.py").path
        var arguments = [script, "--port", "0", "--latency-ms", String(latencyMS),
                         "--build-seconds", String(buildSeconds), "--snapshot-seconds", String(snapshotSeconds)]
        if tls {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-tls-\(UUID().uuidString)")
            let maker = Process()
            maker.executableURL = URL(fileURLWithPath: "/bin/bash")
            maker.arguments = [Harness.root.appendingPathComponent("Tests/FakeCloud/make_cert.sh").path, directory.path]
            try maker.run()
            maker.waitUntilExit()
            arguments += ["--tls-cert", directory.appendingPathComponent("server.pem").path,
                          "--tls-key", directory.appendingPathComponent("server.key").path]
            caFile = directory.appendingPathComponent("ca.pem").path
        } else {
            caFile = nil
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The ready line: {"url": ..., "pid": ...}
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let ready = try JSONSerialization.jsonObject(with: line) as? [String: Any],
              let url = ready["url"] as? String else {
            throw FakeCloudError.notReady(String(decoding: line, as: UTF8.self))
        }
        self.url = url
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            process.terminate()
            for _ in 0..<50 where process.isRunning { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    enum FakeCloudError: Error { case notReady(String) }

    /// One call to the control API (no TLS verification needed: it is our own fake).
    @discardableResult
    func control(_ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        try controlCall(method, url + "/_fake/" + path, body)
    }

    /// Every service request received so far, oldest first.
    func requests() throws -> [[String: Any]] { try control("GET", "requests") as? [[String: Any]] ?? [] }
    func clearRequests() throws { try control("DELETE", "requests") }
    func state() throws -> [String: [[String: Any]]] { try control("GET", "state") as? [String: [[String: Any]]] ?? [:] }
    func config(_ knobs: [String: Any]) throws { try control("POST", "config", knobs) }
    func faults(_ rules: [[String: Any]]) throws { try control("POST", "faults", rules) }
    func expireTokens() throws { try control("POST", "expire_tokens") }
    /// Answers the requests a `slow` fault with this gate holds.
    func openGate(_ name: String) throws { try control("POST", "open_gate", ["name": name]) }
    /// Every server still in BUILD is ACTIVE from now on.
    func finishBuilds() throws { try control("POST", "finish_builds") }

    /// The requests received matching method and path (a regex), oldest first.
    func requests(_ method: String, _ path: String) throws -> [[String: Any]] {
        try requests().filter {
            $0["method"] as? String == method && ($0["path"] as? String)?.range(of: path, options: .regularExpression) != nil
        }
    }

    /// Polls (every 50 ms, up to `seconds`) until `condition` holds; false if it never did.
    func waitUntil(seconds: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try condition() { return true }
            usleep(50_000)
        } while Date() < deadline
        return try condition()
    }

    /// Servers, floating IPs and snapshots the cloud still holds: what a failed command must not leave.
    func leftovers() throws -> (servers: Int, floatingIPs: Int, snapshots: Int) {
        let held = try state()
        return (held["servers"]?.filter { ($0["deleting"] as? Bool) != true }.count ?? 0,
                held["floatingips"]?.count ?? 0, held["snapshots"]?.count ?? 0)
    }

    /// Requests received, counted by "METHOD /path" with ids replaced by {id}.
    func requestCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for request in try requests() {
            let path = (request["path"] as? String ?? "").replacingOccurrences(
                of: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", with: "{id}", options: .regularExpression)
            counts["\(request["method"] as? String ?? "?") \(path)", default: 0] += 1
        }
        return counts
    }
}

enum ControlError: Error { case badReply(String) }

/// One JSON call to a test server's control API (the fake cloud's, the EC2 proxy's) through
/// curl -k: the reply as parsed JSON, nil when empty.
func controlCall(_ method: String, _ url: String, _ body: Any?) throws -> Any? {
    var arguments = ["-sS", "-k", "-X", method, url]
    if let body {
        arguments += ["-H", "Content-Type: application/json", "--data-binary",
                      String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)]
    }
    let curl = Process()
    curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    curl.arguments = arguments
    let out = Pipe()
    curl.standardOutput = out
    do { try curl.run() } catch { throw ControlError.badReply("cannot run /usr/bin/curl (make deps installs curl): \(error)") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    curl.waitUntilExit()
    guard curl.terminationStatus == 0 else { throw ControlError.badReply("curl exit \(curl.terminationStatus)") }
    return data.isEmpty ? nil : try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
}
