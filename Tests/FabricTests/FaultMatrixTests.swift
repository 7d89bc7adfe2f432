import Foundation
import Testing

/// Faults injected by the fake OpenStack cloud at each step of `machine create` (auth, find
/// image, find flavor, boot, wait, public address): 500, 503 with Retry-After, 429, a reset
/// connection, a response that never comes (past --extra timeout), a malformed body, and
/// expired tokens. Each scenario either succeeds (after retries) or fails cleanly (exit 1, 2 or
/// 5 with an error line), and afterwards the cloud and the store agree: no server or floating
/// IP the store does not know of, no stored machine the cloud does not hold.
@Suite struct FaultMatrixTests {
    static let steps: [(name: String, method: String, path: String)] = [
        ("auth", "POST", "/identity/v3/auth/tokens$"),
        ("find image", "GET", "/image/v2/images"),
        ("find flavor", "GET", "/flavors"),
        ("boot", "POST", "/servers$"),
        ("wait", "GET", "/servers/(detail|[0-9a-f-]{36})$"),
        ("public address", "POST", "/floatingips"),
    ]
    static let kinds: [(name: String, rule: [String: Any])] = [
        ("500", ["kind": "status", "status": 500]),
        ("503+Retry-After", ["kind": "status", "status": 503, "retry_after": 1]),
        ("429", ["kind": "status", "status": 429, "retry_after": 0]),
        ("reset", ["kind": "reset"]),
        ("hang", ["kind": "hang", "seconds": 6]),
        ("malformed", ["kind": "malformed"]),
    ]

    /// Servers and floating IPs the cloud holds that the store does not know, plus stored
    /// machines the cloud does not hold.
    static func leaks(_ h: Harness, _ cloud: FakeCloud) throws -> Int {
        let state = try cloud.state()
        let servers = Set((state["servers"] ?? []).filter { ($0["deleting"] as? Bool) != true }.compactMap { $0["id"] as? String })
        let stored = h.sh("fabric-store list machines").records
        let uuids = Set(stored.compactMap { $0["uuid"] as? String })
        let storedAddresses = Set(stored.flatMap { ($0["public_addresses"] as? [String]) ?? [] })
        let floating = (state["floatingips"] ?? []).compactMap { $0["floating_ip_address"] as? String }
        return servers.subtracting(uuids).count + uuids.subtracting(servers).count
            + floating.filter { !storedAddresses.contains($0) }.count
    }

    @Test func machineCreateUnderEveryFault() throws {
        let cloud = try FakeCloud()
        var run = 0, passed = 0, leaked = 0
        var scenarios: [(String, [[String: Any]], Bool)] = []
        for step in Self.steps {
            for kind in Self.kinds {
                var rule = kind.rule
                rule["method"] = step.method
                rule["path"] = step.path
                scenarios.append(("\(step.name) \(kind.name)", [rule], false))
            }
        }
        scenarios.append(("token expiry", [], true))
        for (name, rules, expire) in scenarios {
            try cloud.control("POST", "reset")
            let h = Harness()
            let registered = h.sh("fabric provider register os admin secret \(cloud.identityV3) demo --default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium --extra timeout=2")
            #expect(registered.status == 0, "\(registered.stderr)")
            if expire {
                #expect(h.sh("fabric-find-image -p os").status == 0)
                try cloud.expireTokens()
            }
            if !rules.isEmpty { try cloud.faults(rules) }
            let result = h.sh("fabric --json machine create os --number_machines 2 --public_network public")
            run += 1
            let clean = result.status == 0
                ? result.records.count == 2
                : [1, 2, 5].contains(result.status) && result.stderr.contains("Error")
            let leaks = try Self.leaks(h, cloud)
            leaked += leaks
            #expect(clean, "\(name): status \(result.status): \(result.stderr.prefix(400))")
            #expect(leaks == 0, "\(name): \(leaks) leaked: \(result.stderr.prefix(400))")
            if clean && leaks == 0 { passed += 1 }
            print("fault matrix: \(name): status \(result.status), leaks \(leaks)")
        }
        print("fault matrix: \(run) scenarios run, \(passed) passed, \(leaked) leaked resources")
    }
}
