import Foundation
import Testing

/// The fake cloud is only worth testing against if it refuses what OpenStack refuses: these
/// tests pin its strictness, talking to it with curl as any client would.
@Suite struct FakeCloudTests {
    struct Reply { let status: Int; let headers: String; let body: [String: Any] }

    func call(_ cloud: FakeCloud, _ method: String, _ path: String, token: String? = nil,
              microversion: String? = nil, body: String? = nil) throws -> Reply {
        var arguments = ["-sS", "-k", "-D", "-", "-X", method, cloud.url + path]
        if let token { arguments += ["-H", "X-Auth-Token: \(token)"] }
        if let microversion { arguments += ["-H", "OpenStack-API-Version: compute \(microversion)"] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = Harness().run("/usr/bin/curl", arguments)
        let text = result.stdout.replacingOccurrences(of: "\r", with: "")
        let parts = text.components(separatedBy: "\n\n")
        let headers = parts.first ?? ""
        let status = Int(headers.split(separator: " ").dropFirst().first ?? "") ?? 0
        let bodyText = parts.dropFirst().joined(separator: "\n\n")
        let json = (try? JSONSerialization.jsonObject(with: Data(bodyText.utf8))) as? [String: Any] ?? [:]
        return Reply(status: status, headers: headers, body: json)
    }

    func token(_ cloud: FakeCloud) throws -> String {
        let reply = try call(cloud, "POST", "/identity/v3/auth/tokens", body: """
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin",
             "domain": {"name": "Default"}, "password": "secret"}}},
             "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}
            """)
        #expect(reply.status == 201)
        let line = reply.headers.split(separator: "\n").first { $0.lowercased().hasPrefix("x-subject-token:") }
        return String(line?.split(separator: " ").last ?? "")
    }

    static let server = #"{"name": "db", "imageRef": "7c1e0a3b-0000-4000-8000-00000000c001", "flavorRef": "3", "networks": "auto""#

    @Test func missingTokenIsRefusedEverywhere() throws {
        let cloud = try FakeCloud()
        for path in ["/compute/v2.1/servers/detail", "/image/v2/images", "/network/v2.0/networks"] {
            let reply = try call(cloud, "GET", path)
            #expect(reply.status == 401, "\(path)")
            #expect((reply.body["error"] as? [String: Any])?["title"] as? String == "Unauthorized")
        }
        #expect(try call(cloud, "GET", "/compute/v2.1/servers/detail", token: "forged").status == 401)
    }

    @Test func wrongPasswordIsUnauthorized() throws {
        let cloud = try FakeCloud()
        let reply = try call(cloud, "POST", "/identity/v3/auth/tokens", body: """
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin",
             "domain": {"name": "Default"}, "password": "wrong"}}}}}
            """)
        #expect(reply.status == 401)
    }

    @Test func unknownServerFieldIsABadRequest() throws {
        let cloud = try FakeCloud()
        let reply = try call(cloud, "POST", "/compute/v2.1/servers", token: try token(cloud), microversion: "2.90",
                             body: #"{"server": \#(Self.server), "colour": "blue"}}"#)
        #expect(reply.status == 400)
        let message = (reply.body["badRequest"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("Additional properties are not allowed ('colour' was unexpected)"))
        #expect(try cloud.leftovers().servers == 0)
    }

    @Test func personalityIsRefusedFrom257AndAcceptedAt256() throws {
        let cloud = try FakeCloud()
        let token = try token(cloud)
        let body = #"{"server": \#(Self.server), "personality": [{"path": "/etc/motd", "contents": "aGk="}]}}"#
        #expect(try call(cloud, "POST", "/compute/v2.1/servers", token: token, microversion: "2.57", body: body).status == 400)
        #expect(try call(cloud, "POST", "/compute/v2.1/servers", token: token, microversion: "2.56", body: body).status == 202)
    }

    @Test func unsupportedMicroversionIsNotAcceptable() throws {
        let cloud = try FakeCloud()
        let reply = try call(cloud, "GET", "/compute/v2.1/flavors/detail", token: try token(cloud), microversion: "2.97")
        #expect(reply.status == 406)
        let used = try call(cloud, "GET", "/compute/v2.1/flavors/detail", token: try token(cloud), microversion: "2.60")
        #expect(used.headers.contains("OpenStack-API-Version: compute 2.60"))
    }

    @Test func multiCreateIsAllOrNothingAtTheQuota() throws {
        let cloud = try FakeCloud()
        try cloud.config(["quota_instances": 3])
        let token = try token(cloud)
        let tooMany = try call(cloud, "POST", "/compute/v2.1/servers", token: token, microversion: "2.90",
                               body: #"{"server": \#(Self.server), "min_count": 4, "max_count": 4}}"#)
        #expect(tooMany.status == 403)
        #expect(try cloud.leftovers().servers == 0)
        let three = try call(cloud, "POST", "/compute/v2.1/servers", token: token, microversion: "2.90",
                             body: #"{"server": \#(Self.server), "min_count": 3, "max_count": 3, "return_reservation_id": true}}"#)
        #expect(three.status == 202)
        let reservation = three.body["reservation_id"] as? String ?? ""
        let listed = try call(cloud, "GET", "/compute/v2.1/servers/detail?reservation_id=\(reservation)", token: token,
                              microversion: "2.90")
        let names = (listed.body["servers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
        #expect(names == ["db-1", "db-2", "db-3"])
    }

    @Test func deletingAServerLeavesItsFloatingIPAllocated() throws {
        let cloud = try FakeCloud()
        try cloud.config(["delete_seconds": 0])
        let token = try token(cloud)
        let created = try call(cloud, "POST", "/compute/v2.1/servers", token: token, microversion: "2.90",
                               body: #"{"server": \#(Self.server)}}"#)
        let id = (created.body["server"] as? [String: Any])?["id"] as? String ?? ""
        let ports = try call(cloud, "GET", "/network/v2.0/ports?device_id=\(id)", token: token)
        let port = (ports.body["ports"] as? [[String: Any]])?.first?["id"] as? String ?? ""
        let fip = try call(cloud, "POST", "/network/v2.0/floatingips", token: token, body: """
            {"floatingip": {"floating_network_id": "9d2c6f4e-0000-4000-8000-000000000003", "port_id": "\(port)"}}
            """)
        #expect(fip.status == 201)
        #expect(try call(cloud, "DELETE", "/compute/v2.1/servers/\(id)", token: token, microversion: "2.90").status == 204)
        #expect(try cloud.leftovers().floatingIPs == 1)
    }

    @Test func faultsAnswerAsConfigured() throws {
        let cloud = try FakeCloud()
        let token = try token(cloud)
        try cloud.faults([["method": "GET", "path": "/flavors/detail", "status": 503, "retry_after": 2, "times": 1]])
        let failed = try call(cloud, "GET", "/compute/v2.1/flavors/detail", token: token)
        #expect(failed.status == 503)
        #expect(failed.headers.contains("Retry-After: 2"))
        #expect(try call(cloud, "GET", "/compute/v2.1/flavors/detail", token: token).status == 200)
        try cloud.expireTokens()
        #expect(try call(cloud, "GET", "/compute/v2.1/flavors/detail", token: token).status == 401)
    }
}
