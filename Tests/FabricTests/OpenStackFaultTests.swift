import Foundation
import Testing

/// The fault matrix: every step of machine create, machine destroy and snapshot create/destroy
/// against the fake cloud, with each kind of failure a cloud produces injected into that step's
/// request. Each scenario must end as documented (success after a retry where a retry is safe,
/// otherwise a clean failure naming the problem) and leave the cloud and the store agreeing:
/// no server, floating IP or snapshot that the store does not know of, and no row the cloud
/// does not hold.
@Suite struct OpenStackFaultTests {
    enum Command { case create, destroy, snapshotCreate, snapshotDestroy }

    struct Step {
        let name: String, command: Command, method: String, path: String
    }

    struct Fault {
        let name: String, rule: [String: Any]
        /// Whether a client may get past it: by retrying (only requests safe to repeat, but any
        /// request after a 429, which the service refused before doing anything) or by
        /// authenticating again (401).
        func recoverable(_ step: Step) -> Bool {
            let repeatable = step.method == "GET" || step.method == "DELETE" || step.name == "auth"
            switch name {
            case "401": return step.name != "auth"   // refused credentials are final
            case "429": return true
            case "503", "reset", "hang": return repeatable
            default: return false
            }
        }
    }

    static let steps = [
        Step(name: "auth", command: .create, method: "POST", path: "/auth/tokens$"),
        Step(name: "find image", command: .create, method: "GET", path: "/v2/images$"),
        Step(name: "find flavor", command: .create, method: "GET", path: "/flavors/detail$"),
        Step(name: "boot", command: .create, method: "POST", path: "/servers$"),
        Step(name: "wait", command: .create, method: "GET", path: "/servers/detail$"),
        Step(name: "public address", command: .create, method: "POST", path: "/floatingips$"),
        Step(name: "destroy: release address", command: .destroy, method: "DELETE", path: "/floatingips/"),
        Step(name: "destroy: delete server", command: .destroy, method: "DELETE", path: "/servers/"),
        Step(name: "snapshot create", command: .snapshotCreate, method: "POST", path: "/action$"),
        Step(name: "snapshot wait", command: .snapshotCreate, method: "GET", path: "/v2/images/"),
        Step(name: "snapshot destroy", command: .snapshotDestroy, method: "DELETE", path: "/v2/images/"),
    ]

    static let faults = [
        Fault(name: "500", rule: ["status": 500]),
        Fault(name: "503", rule: ["status": 503, "retry_after": 1]),
        Fault(name: "429", rule: ["status": 429, "retry_after": 0]),
        Fault(name: "reset", rule: ["kind": "reset"]),
        // Longer than the request timeout below, so the client gives up on it.
        Fault(name: "hang", rule: ["kind": "hang", "seconds": 30]),
        Fault(name: "401", rule: ["status": 401]),
        Fault(name: "malformed", rule: ["kind": "malformed"]),
    ]

    struct Outcome { let scenario: String; let passed: Bool; let leaked: Int; let detail: String }

    /// What the cloud holds that the store does not, and the other way round.
    static func leaks(_ t: Harness, _ cloud: FakeCloud) throws -> (count: Int, detail: String) {
        let state = try cloud.state()
        let servers = Set(state["servers"]?.filter { ($0["deleting"] as? Bool) != true }.compactMap { $0["id"] as? String } ?? [])
        let stored = Set(try t.listedRecords("fabric-store list machines").compactMap { $0["uuid"] as? String })
        let ports = Set(state["ports"]?.filter { servers.contains($0["device_id"] as? String ?? "") }.compactMap { $0["id"] as? String } ?? [])
        let strayAddresses = state["floatingips"]?.filter { !ports.contains($0["port_id"] as? String ?? "") }.count ?? 0
        let snapshots = Set(state["snapshots"]?.compactMap { $0["id"] as? String } ?? [])
        let storedSnapshots = Set(try t.listedRecords("fabric-store list snapshots").compactMap { $0["id"] as? String })
        let count = servers.symmetricDifference(stored).count + strayAddresses + snapshots.symmetricDifference(storedSnapshots).count
        return (count, count == 0 ? "" : "servers \(servers) store \(stored) stray addresses \(strayAddresses) snapshots \(snapshots) stored \(storedSnapshots)")
    }

    static func run(_ step: Step) throws -> [Outcome] {
        let cloud = try FakeCloud()
        var outcomes: [Outcome] = []
        for fault in faults {
            try cloud.control("POST", "reset")
            // Quick answers: the matrix is about each fault's handling; the races of a slow create
            // have their own tests (OpenStackSafetyTests). The request timeout is a bound that
            // must stay (a hang is only seen through it): 10 s, generous for eleven fake clouds
            // answering at once on two busy cores, and far below the hang's 30 s.
            try cloud.config(["delete_seconds": 0.1, "create_seconds": 0.2, "token_seconds": 0.05])
            let t = Harness()
            let register = t.sh("fabric provider register os admin secret \(cloud.identityV3) demo "
                                + "--default_image cirros-0.6.2 --default_flavor m1.tiny --extra timeout=10 --extra network=private")
            precondition(register.status == 0, register.stderr)
            var uuid = ""
            if step.command != .create {
                let created = t.sh("fabric --json machine create os --public_network public")
                uuid = created.records.first?["uuid"] as? String ?? ""
                if step.command == .snapshotDestroy {
                    _ = t.sh("fabric snapshot create os \(uuid) --wait_spawning")
                }
            }
            var rule = fault.rule
            rule["method"] = step.method
            rule["path"] = step.path
            rule["times"] = 1
            try cloud.faults([rule])
            let command = switch step.command {
            case .create: "fabric --json machine create os --number_machines 2 --public_network public"
            case .destroy: "fabric machine destroy os \(uuid)"
            case .snapshotCreate: "fabric snapshot create os \(uuid) --wait_spawning"
            case .snapshotDestroy: "fabric snapshot destroy os \(uuid)"
            }
            let result = t.sh(command)
            let hits = (try cloud.control("GET", "faults") as? [[String: Any]])?.first?["hits"] as? Int ?? 0
            let leaks = try leaks(t, cloud)
            let expectSuccess = fault.recoverable(step)
            var passed = hits == 1 && leaks.count == 0
            var detail = "fault hit \(hits) times; exit \(result.status)"
            if expectSuccess {
                passed = passed && result.status == 0
            } else {
                // A clean failure: a documented status, one error line naming the cloud's answer.
                let named = ["HTTP \(fault.name)", "not valid JSON", "Timeout", "timed out", "Connection", "reset", "receiving data"]
                passed = passed && [1, 2, 3, 4].contains(result.status) && named.contains { result.stderr.contains($0) }
            }
            if !passed { detail += "; stderr: \(result.stderr.prefix(400)); \(leaks.detail)" }
            outcomes.append(Outcome(scenario: "\(step.name) × \(fault.name)", passed: passed, leaked: leaks.count, detail: detail))
            try cloud.control("DELETE", "faults")
        }
        return outcomes
    }

    @Test func everyStepUnderEveryFaultEndsAsDocumentedAndLeaksNothing() throws {
        let lock = NSLock()
        var outcomes: [Outcome] = []
        var errors: [String] = []
        DispatchQueue.concurrentPerform(iterations: Self.steps.count) { index in
            do {
                let result = try Self.run(Self.steps[index])
                lock.withLock { outcomes += result }
            } catch {
                lock.withLock { errors.append("\(Self.steps[index].name): \(error)") }
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        for outcome in outcomes where !outcome.passed {
            Issue.record("\(outcome.scenario): \(outcome.detail)")
        }
        let passed = outcomes.filter(\.passed).count
        let leaked = outcomes.reduce(0) { $0 + $1.leaked }
        print("fault matrix: \(outcomes.count) scenarios run, \(passed) passed, \(leaked) leaked resources")
        #expect(outcomes.count == Self.steps.count * Self.faults.count)
        #expect(leaked == 0)
    }
}
