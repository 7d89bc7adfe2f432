import Foundation
import Testing

/// Runs the tools as a user would: real processes, real pipes, a real store per test (a SQLite
/// file, or a database of its own on the test MariaDB server).
struct Harness {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// The tools `swift test` built next to this test bundle: the one executable fabric-tools
    /// and a link to it by each tool's name, made here so `swift build && swift test` is enough.
    static let binDirectory: URL = {
        let directory = ProcessInfo.processInfo.environment["FABRIC_BIN"].map { URL(fileURLWithPath: $0) }
            ?? root.appendingPathComponent(".build/debug")
        linkTools(in: directory)
        return directory
    }()

    /// Links DIR/fabric-store, ... to DIR/fabric-tools (the names it lists), as `make build` does;
    /// each replaces what was there (a build from before the one executable left a stale binary
    /// of each tool) by a rename, so a test or a demo running meanwhile never misses a tool.
    static func linkTools(in directory: URL) {
        let executable = directory.appendingPathComponent("fabric-tools").path
        guard FileManager.default.isExecutableFile(atPath: executable) else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--list"]
        let out = Pipe()
        process.standardOutput = out
        try! process.run()
        let names = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "fabric-tools --list failed")
        for name in names.split(separator: "\n") {
            let link = directory.appendingPathComponent(String(name)).path
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == "fabric-tools" { continue }
            let temporary = "\(link).link-\(getpid())"
            try? FileManager.default.removeItem(atPath: temporary)
            try! FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: "fabric-tools")
            precondition(rename(temporary, link) == 0, "cannot link \(link)")
        }
    }

    let directory: URL
    let backend: Backend
    /// The MySQL database of this test's store (a new one per test), when backend is .mysql.
    let database: String
    /// The store the tools use: a SQLite file in the test's directory, or a mysql:// URL.
    var store: String {
        switch backend {
        case .sqlite: directory.appendingPathComponent("fabric.db").path
        case .mysql: MySQLTestServer.shared.url(database: database)
        case .galera: GaleraCluster.shared.url(database: database)
        }
    }

    init(_ backend: Backend = .sqlite) {
        self.backend = backend
        database = Harness.newDatabaseName()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fabric-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
        var records: [[String: Any]] {
            lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = Harness.root.appendingPathComponent("bin").path + ":" + Harness.binDirectory.path + ":" + (env["PATH"] ?? "")
        // The wrapper prefers the checkout's .build/debug; these tests mean the tools just built.
        env["FABRIC_TOOLS"] = Harness.binDirectory.path
        env["FABRIC_STORE"] = store
        env.removeValue(forKey: "FABRIC_STORE_PASSWORD")
        if let password = backend.password { env["FABRIC_STORE_PASSWORD"] = password }
        env["HOME"] = directory.path
        env.removeValue(forKey: "FABRIC_PASSWORD")
        return env
    }

    /// Runs a shell pipeline (bash -c) with the tools on PATH and this test's store. A command
    /// the script (or a tool's own script) runs that is not installed fails the test, naming it.
    @discardableResult
    func sh(_ script: String, stdin: String? = nil, env extra: [String: String] = [:]) -> Result {
        let result = run("/bin/bash", ["-o", "pipefail", "-c", script], stdin: stdin, env: extra)
        for line in result.stderr.split(separator: "\n") where line.hasSuffix(": command not found") {
            Issue.record("\(line): a command the test needs is not installed (make deps installs them)")
        }
        return result
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String], stdin: String? = nil, env extra: [String: String] = [:]) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        do {
            try process.run()
        } catch {
            // A missing program fails this test with its name, not the whole test process.
            Issue.record("cannot run \(executable): \(error) (make deps installs what the tests run)")
            return Result(status: 127, stdout: "", stderr: "cannot run \(executable): \(error)\n")
        }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Standard output is read on another thread while this one reads standard error, so
        // neither pipe fills and stalls the process.
        let outData = PipeContents(), group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData.bytes = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData.bytes, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts a shell pipeline in the background (its output in files of the test's directory),
    /// for a test that acts while it runs; `finish` waits for it.
    func background(_ script: String, env extra: [String: String] = [:]) -> Background {
        let name = "background-\(UUID().uuidString.prefix(8))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-o", "pipefail", "-c", script]
        process.environment = environment.merging(extra) { $1 }
        process.currentDirectoryURL = directory
        let out = directory.appendingPathComponent(name + ".out"), err = directory.appendingPathComponent(name + ".err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try? FileHandle(forWritingTo: out)
        process.standardError = try? FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { Issue.record("cannot start bash: \(error)") }
        return Background(process: process, out: out, err: err)
    }

    struct Background {
        let process: Process
        let out: URL, err: URL
        var isRunning: Bool { process.isRunning }
        /// Ends it with SIGKILL: a shell started from the test process may have SIGTERM ignored
        /// (inherited), and a sampling loop left running filled a gigabyte file for the rest of a run.
        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        /// Waits for the pipeline (killing it after `seconds`, a bound for a hung command) and
        /// returns what it printed.
        func finish(seconds: Double = 300) -> Result {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                Issue.record("a background command still ran after \(Int(seconds)) s: killed")
                stop()
            }
            process.waitUntilExit()
            return Result(status: process.terminationStatus,
                          stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                          stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        }
    }

    /// Registers a null provider; `extra` are its --extra knobs.
    func registerNull(_ id: String = "demo", extra: [String] = []) {
        let args = extra.flatMap { ["--extra", $0] }.map { "'\($0)'" }.joined(separator: " ")
        let result = sh("fabric --json provider register \(id) admin secret null:// demo --provider_type null --default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium \(args)")
        precondition(result.status == 0, "register failed: \(result.stderr)")
    }

    /// The records a listing prints, or nil (and a failed test naming the command) when the
    /// listing itself fails: a crashed listing is never read as an empty one.
    func listing(_ command: String, env extra: [String: String] = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) -> [String]? {
        let result = sh(command, env: extra)
        guard result.status == 0 else {
            Issue.record("\(command) failed (status \(result.status)): \(result.stderr.prefix(400))", sourceLocation: sourceLocation)
            return nil
        }
        return result.lines
    }

    /// The records a listing prints; a listing that fails throws (after failing the test).
    func listedRecords(_ command: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        guard let lines = listing(command, sourceLocation: sourceLocation) else { throw ListingFailed(command: command) }
        return lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    struct ListingFailed: Error { let command: String }

    /// Rows of one table of the store (fabric-store list TABLE); -1 when the listing fails.
    func count(_ table: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        listing("fabric-store list \(table)", sourceLocation: sourceLocation)?.count ?? -1
    }

    /// Machines the provider's cloud holds (fabric-list-machines); -1 when the listing fails.
    func cloudMachines(_ provider: String = "demo", sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        listing("fabric-list-machines -p \(provider)", sourceLocation: sourceLocation)?.count ?? -1
    }

    /// "Nothing left": the listing succeeds and prints nothing.
    func expectNothingListed(_ command: String, _ comment: String = "", env extra: [String: String] = [:],
                             sourceLocation: SourceLocation = #_sourceLocation) {
        guard let lines = listing(command, env: extra, sourceLocation: sourceLocation) else { return }
        #expect(lines.isEmpty, "\(command) listed \(lines.count): \(comment) \(lines.prefix(3))", sourceLocation: sourceLocation)
    }
}

/// What one thread reads from a pipe for another. Unchecked: it is written once on the reading
/// thread and read only after the DispatchGroup's wait, never both at the same time.
private final class PipeContents: @unchecked Sendable {
    var bytes = Data()
}
