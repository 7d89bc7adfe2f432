import Foundation

/// moto's server (Tests/Moto/ec2_fake.py moto), started once per test run by the first test
/// that needs it; it stops when this process ends and its stdin closes.
final class MotoServer: @unchecked Sendable {
    static let python = Harness.root.appendingPathComponent(".venv-moto/bin/python").path
    static let script = Harness.root.appendingPathComponent("Tests/Moto/ec2_fake.py").path

    static let shared: Result<MotoServer, LocalEC2.Failure> = {
        do throws(LocalEC2.Failure) { return .success(try MotoServer()) } catch { return .failure(error) }
    }()

    let url: String
    /// Where the proxies keep moto's fixed catalogs (instance types), shared by the run.
    let cache: String
    private let process: Process
    private let input: Pipe

    private init() throws(LocalEC2.Failure) {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw .notReady("no \(Self.python): run `make moto` to install moto for the AMAZON tests")
        }
        cache = FileManager.default.temporaryDirectory.appendingPathComponent("fabric-moto-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        (process, input, url) = try LocalEC2.start([Self.script, "moto"])
    }
}

/// A local EC2 for one test: a strict proxy (Tests/Moto/ec2_fake.py proxy) in front of the
/// shared moto, with a moto account of its own, credentials it verifies (AWS Signature V4, and
/// a session token when given), and its control API: knobs, faults, the requests it received,
/// a seeded account, and what EC2 holds (read by boto3's own signed Describe* calls).
final class LocalEC2 {
    enum Failure: Error { case notReady(String), badReply(String) }

    let url: String
    let account: String
    let region = "us-east-1"
    let accessKey: String
    let secretKey: String
    let sessionToken: String?
    /// What the seed made: key_name, subnet, subnet_name, security_group, vpc_security_group,
    /// snapshot, golden_image, golden_image_name, seeded_snapshots, ...
    private(set) var seed: [String: Any] = [:]
    private let process: Process
    private let input: Pipe

    init(sessionToken: Bool = false, seed: Bool = true) throws {
        let moto = try MotoServer.shared.get()
        account = String(Int.random(in: 100_000_000_000...999_999_999_999))
        accessKey = "AKIAFAB" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(13))
        // Slashes and pluses, as real secret keys have, so signing must encode nothing wrongly.
        secretKey = "Fab/Secret+" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20)
        self.sessionToken = sessionToken ? "FwoGZXIvYXdzE" + UUID().uuidString.replacingOccurrences(of: "-", with: "") + "//token+" : nil
        (process, input, url) = try Self.start([MotoServer.script, "proxy", "--moto", moto.url, "--account", account,
                                                "--cache", moto.cache])
        var key: [String: Any] = ["access_key": accessKey, "secret": secretKey]
        if let token = self.sessionToken { key["token"] = token }
        try control("POST", "credentials", ["keys": [key], "region": region])
        if seed { self.seed = try control("POST", "seed") as? [String: Any] ?? [:] }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Starts the helper with the venv's python, returns it, its stdin and the url of its ready line.
    static func start(_ arguments: [String]) throws(Failure) -> (Process, Pipe, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MotoServer.python)
        process.arguments = arguments
        let out = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        // Only the helper may hold its stdin's write end: no later child inherits it.
        _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
        do { try process.run() } catch { throw .notReady("cannot start \(arguments): \(error)") }
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let ready = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let url = ready["url"] as? String else {
            throw .notReady("\(arguments.dropFirst().first ?? "?"): \(String(decoding: line, as: UTF8.self))")
        }
        return (process, input, url)
    }

    /// One call to the control API.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        let value = try controlCall(method, url + "_proxy/" + path, body)
        if let error = (value as? [String: Any])?["error"] as? String { throw Failure.badReply(error) }
        return value
    }

    func config(_ knobs: [String: Any]) throws { try control("POST", "config", knobs) }
    /// Rules: action, fault (reset, throttle, 500, 503, latency), when (before/after moto), times, ms.
    func faults(_ rules: [[String: Any]]) throws { try control("POST", "faults", rules) }
    func clearRequests() throws { try control("DELETE", "requests") }

    /// Every EC2 request the proxy received, oldest first: action, params, session_token, signed_headers.
    func requests() throws -> [[String: Any]] { try control("GET", "requests") as? [[String: Any]] ?? [] }

    func requests(_ action: String) throws -> [[String: String]] {
        try requests().filter { $0["action"] as? String == action }.compactMap { $0["params"] as? [String: String] }
    }

    func actions() throws -> [String] { try requests().compactMap { $0["action"] as? String } }

    /// Requests that could have changed anything (every action but Describe*).
    func changingActions() throws -> [String] { try actions().filter { !$0.hasPrefix("Describe") } }

    /// What EC2 holds: instances, addresses, images, snapshots, volumes (boto3, straight from moto).
    func state() throws -> [String: [[String: Any]]] { try control("GET", "state") as? [String: [[String: Any]]] ?? [:] }

    func liveInstances() throws -> [[String: Any]] {
        try state()["instances", default: []].filter { $0["state"] as? String != "terminated" && $0["id"] as? String != seed["builder"] as? String }
    }

    /// What a failed or finished command must not leave: live machines, Elastic IPs, fabric's
    /// images and the EBS snapshots behind them (the seed's own are left out).
    func leftovers() throws -> (instances: Int, addresses: Int, images: Int, snapshots: Int) {
        let held = try state()
        let seededSnapshots = Set(seed["seeded_snapshots"] as? [String] ?? [])
        let golden = seed["golden_image"] as? String
        return (held["instances", default: []].filter { $0["state"] as? String != "terminated" }.count,
                held["addresses", default: []].count,
                held["images", default: []].filter { $0["id"] as? String != golden }.count,
                held["snapshots", default: []].filter { !seededSnapshots.contains($0["id"] as? String ?? "") }.count)
    }

    /// Registers this EC2 as provider `id` the way the issue's demo does (positional arguments).
    @discardableResult
    func register(_ h: Harness, id: String = "aws", extra: [String] = []) -> Harness.Result {
        let extras = extra.map { "--extra \($0)" }.joined(separator: " ")
        let password = sessionToken.map { "\(secretKey) \($0)" } ?? secretKey
        return h.sh("fabric --json provider register \(id) \(accessKey) --password-stdin \(url) \(region) --provider_type AMAZON "
                    + "--default_image \(seed["golden_image_name"] as? String ?? "mysql-8.4-golden") --default_flavor t3.micro \(extras)",
                    stdin: password + "\n")
    }

    /// The AWS CLI's variables for this EC2, for `--from-env`.
    var environment: [String: String] {
        var env = ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey, "AWS_REGION": region,
                   "AWS_ENDPOINT_URL_EC2": url]
        if let sessionToken { env["AWS_SESSION_TOKEN"] = sessionToken }
        return env
    }
}
