import FabricRecords
import Glibc

/// The stream of a command's transitions, one JSON object a line, each written with one
/// write(2) to a file opened for appending as the transition happens: the porcelain and the
/// tools of its pipeline write to the same file, and `tail -f FILE | jq` follows them. A
/// command's first line is its schema (`{"event":"schema","version":1,...}`); a tool under the
/// porcelain leaves that to the porcelain. Every event has `event`, `at` (RFC 3339 with
/// milliseconds), `time` (seconds since the epoch) and `tool`; the rest depends on the event:
///
///   created        uuid, name, group, batch, address
///   stage          uuid, stage, seconds (since the wait began)
///   hook_started   uuid, hook (on_ready, before_destroy), command
///   hook_ended     uuid, hook, status (exit status), seconds
///   role           uuid, role, lag or galera_state
///   ready          uuid, seconds, role
///   failed         uuid, stage, reason
///   destroying     uuid
///   destroyed      uuid
///   summary        group, members (the group's machines after the command), created,
///                  destroyed, failed, status
public final class EventLog: @unchecked Sendable {
    public static let schemaVersion = 1
    private let fd: Int32
    private let owned: Bool

    /// `-`: standard error. The schema line is written unless the porcelain runs this tool.
    public init(path: String, command: String) throws(FabricError) {
        if path == "-" {
            fd = 2
            owned = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw FabricError.usage("--events \(quoted(path)): \(String(cString: strerror(errno)))")
            }
            owned = true
        }
        if environment("FABRIC_PORCELAIN") == nil || toolName == "fabric" {
            emit("schema", ["version": JSON(Self.schemaVersion), "command": JSON(command)])
        }
    }

    deinit { if owned { close(fd) } }

    /// Checks that the file can be written (or made), before anything is made; makes nothing.
    public static func check(_ path: String?) throws(FabricError) {
        guard let path, path != "-" else { return }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let target = fileExists(path) ? path : directory.isEmpty ? "/" : directory
        guard access(target, W_OK) == 0 else { throw FabricError.usage("--events \(quoted(path)): \(String(cString: strerror(errno)))") }
    }

    public func emit(_ event: String, _ fields: [String: JSON] = [:]) {
        let at = now()
        let line = JSON.object()
        line["event"] = JSON(event)
        line["at"] = JSON(timestamp(at, format: "%Y-%m-%dT%H:%M:%S") + String(format3(at)) + "Z")
        line["time"] = JSON((at * 1000).rounded() / 1000)
        line["tool"] = JSON(toolName)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { line[key] = value }
        writeFully(fd, Array((line.encoded() + "\n").utf8))
    }

    /// A hook started for a machine, and how it ended (its status; null when it was ended).
    public func hookStarted(_ uuid: String, _ hook: Hook) {
        emit("hook_started", ["uuid": JSON(uuid), "hook": JSON(hook.point.rawValue), "command": JSON(hook.command)])
    }

    public func hookEnded(_ uuid: String, _ running: Hook.Running, status: Int32?) {
        emit("hook_ended", ["uuid": JSON(uuid), "hook": JSON(running.hook.point.rawValue),
                            "status": status.map { JSON(Int($0)) } ?? JSON.null,
                            "seconds": JSON((running.seconds * 100).rounded() / 100)])
    }

    /// ".123": the milliseconds of a time.
    private func format3(_ seconds: Double) -> String {
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        return "." + String(repeating: "0", count: millis < 10 ? 2 : millis < 100 ? 1 : 0) + String(millis)
    }
}
