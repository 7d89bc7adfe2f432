import FabricRecords
import Glibc

/// What `execute_userdata` makes of a null provider's machine: its user data, when it is a
/// script, run on this host as the machine would run it at boot. Each machine has a directory
/// of its own (`machines_dir`/UUID) holding the script, its console (the boot log) and, once
/// the script ends, its exit status; the script leads a session and process group of its own,
/// so it outlives the command that booted it, and what it starts in the background (a
/// mariadbd) is ended with it when the machine is destroyed. It sees none of fabric's
/// environment (no password): only PATH, a few locale variables and FABRIC_MACHINE_*.
struct NullMachineProcesses {
    let root: String

    static func isScript(_ userdata: [UInt8]?) -> Bool {
        userdata.map { $0.starts(with: Array("#!".utf8)) } ?? false
    }

    func directory(_ uuid: String) -> String { "\(root)/\(uuid)" }

    /// Starts the machine's script; the directory is made first and owned by this user only.
    func start(uuid: String, name: String, address: String, userdata: [UInt8]) throws(FabricError) {
        let directory = directory(uuid)
        for path in [root, directory] where mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw FabricError.machine("cannot make the machine directory \(path): \(String(cString: strerror(errno)))")
        }
        try writeFile("\(directory)/user-data", userdata, mode: 0o700)
        var variables = ["FABRIC_MACHINE_ADDRESS=\(address)", "FABRIC_MACHINE_UUID=\(uuid)", "FABRIC_MACHINE_NAME=\(name)",
                         "FABRIC_MACHINE_DIR=\(directory)", "HOME=\(directory)", "TMPDIR=\(directory)"]
        for name in ["PATH", "LANG", "LC_ALL", "TZ"] {
            if let value = environment(name) { variables.append("\(name)=\(value)") }
        }
        if environment("PATH") == nil { variables.append("PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin") }
        // The shell waits for the script and keeps its status, as cloud-init logs it.
        let wrapper = "cd \"$0\" && ./user-data; echo $? > exit-status.new && mv exit-status.new exit-status"
        let pid = try Spawn.session("/bin/sh", ["sh", "-c", wrapper, directory], log: "\(directory)/console.log", environment: variables)
        try writeFile("\(directory)/session", Array("\(pid)\n".utf8), mode: 0o600)
    }

    /// The console so far and, once the script ended, its exit status.
    func console(_ uuid: String) -> (output: [UInt8], exitStatus: Int?)? {
        let directory = directory(uuid)
        guard case .success(let output) = readFile("\(directory)/console.log") else { return nil }
        let status: Int? = switch readFile("\(directory)/exit-status") {
        case .success(let bytes): Int(String(decoding: bytes, as: UTF8.self).trimmingSpaces)
        case .failure: nil
        }
        return (output, status)
    }

    /// Ends every process of the machines' sessions, all at once (TERM, then KILL after
    /// `grace` seconds), and removes their directories.
    func stop(_ uuids: [String], grace: Double = 10) {
        var sessions: [pid_t] = []
        for uuid in uuids {
            guard case .success(let bytes) = readFile("\(directory(uuid))/session"),
                  let session = pid_t(String(decoding: bytes, as: UTF8.self).trimmingSpaces), session > 1 else { continue }
            kill(-session, SIGTERM)
            sessions.append(session)
        }
        let deadline = monotonicNow() + grace
        let asked = Set(sessions)
        while !Self.members(of: asked).isEmpty && monotonicNow() < deadline { sleep(seconds: 0.05) }
        for pid in Self.members(of: asked) { kill(pid, SIGKILL) }
        for uuid in uuids { removeTree(directory(uuid)) }
    }

    /// The live processes (zombies left out) of these sessions, from one read of /proc: a
    /// process whose parent has gone may stay a zombie a while, and kill(-group, 0) would
    /// still find it.
    static func members(of sessions: Set<pid_t>) -> [pid_t] {
        guard !sessions.isEmpty, let entries = opendir("/proc") else { return [] }
        defer { closedir(entries) }
        var found: [pid_t] = []
        while let entry = readdir(entries) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), case .success(let stat) = readFile("/proc/\(name)/stat") else { continue }
            // pid (comm) state ppid pgrp session ...: comm may hold spaces, so read after its ')'.
            guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { continue }
            let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
            guard fields.count > 3, fields[0].first != UInt8(ascii: "Z"),
                  let session = pid_t(String(decoding: fields[3], as: UTF8.self)), sessions.contains(session) else { continue }
            found.append(pid)
        }
        return found
    }
}
