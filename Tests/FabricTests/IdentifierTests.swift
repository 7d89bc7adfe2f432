import Foundation
import Testing

/// One rule for every identifier a user types (fabric(1), IDENTIFIERS), checked at every entry
/// point, the wrapper and the tools alike, before any request or write.
@Suite struct IdentifierTests {
    static let providerRule = "a provider id is 1-64 letters, digits, '.', '_' or '-', beginning with a letter or digit"
    static let groupRule = "a group name is 1-64 letters, digits, '.', '_' or '-', beginning with a letter or digit"
    static let machineRule = "a machine id is 1-40 letters, digits, '.', '_', '-', ':' or '~', beginning with a letter or digit"
    static let jobRule = "a job id is a number from 1, as fabric job list shows it"

    /// The store's content as text, and the cloud's machines, to show nothing changed.
    func state(_ h: Harness) -> String {
        let dump = h.sh("sqlite3 \"$FABRIC_STORE\" .dump"), cloud = h.sh("fabric-list-machines -p demo")
        #expect(dump.status == 0 && dump.stdout.contains("INSERT INTO providers"), "the store cannot be read: \(dump.stderr)")
        #expect(cloud.status == 0, "\(cloud.stderr)")
        return dump.stdout + cloud.stdout
    }

    @Test(arguments: [
        // The wrapper, in its own words.
        ("fabric provider register ../x admin secret null:// demo --provider_type null", "fabric: ", providerRule),
        ("fabric provider unregister ../x", "fabric: ", providerRule),
        ("fabric provider list --provider_id 'a b'", "fabric: ", providerRule),
        ("fabric machine create ../x", "fabric: ", providerRule),
        ("fabric machine create demo --group ../etc", "fabric: ", groupRule),
        ("fabric machine scale demo ../etc --to 1", "fabric: ", groupRule),
        ("fabric machine list demo --group ../x", "fabric: ", groupRule),
        ("fabric machine list demo --group ''", "fabric: ", groupRule),
        ("fabric machine destroy demo ../x --skip_store --force", "fabric: ", machineRule),
        ("fabric machine wait demo 'a/b'", "fabric: ", machineRule),
        ("fabric machine protect demo '%2e%2e'", "fabric: ", machineRule),
        ("fabric snapshot create demo ../x", "fabric: ", machineRule),
        ("fabric job show ../x", "fabric: ", jobRule),
        ("fabric job cancel 0", "fabric: ", jobRule),
        // The tools, each at its entry.
        ("FABRIC_PASSWORD=pw fabric-store register ../x --type null --username a --url null:// --tenant t", "fabric-store: ", providerRule),
        ("fabric-store get provider ../x", "fabric-store: ", providerRule),
        ("fabric-store remove machine -p demo ../x", "fabric-store: ", machineRule),
        ("fabric-store list machines --group ../x", "fabric-store: ", groupRule),
        ("fabric-store group -p demo ../x", "fabric-store: ", groupRule),
        ("fabric-store protect -p demo ../x", "fabric-store: ", machineRule),
        ("fabric-find-image -p ../x", "fabric-find-image: ", providerRule),
        ("fabric-boot -p demo --group ../x < /dev/null", "fabric-boot: ", groupRule),
        ("fabric-boot -p demo --batch=.x < /dev/null", "fabric-boot: ", groupRule),
        ("fabric-scale -p demo --group ../x --to 1", "fabric-scale: ", groupRule),
        ("fabric-list-machines -p demo --group ../x", "fabric-list-machines: ", groupRule),
        ("fabric-job show ../x", "fabric-job: ", jobRule),
        ("echo '{\"provider_id\":\"../x\",\"uuid\":\"u1\"}' | fabric-destroy", "fabric-destroy: ", providerRule),
    ])
    func aBadIdentifierIsRefusedBeforeAnythingWithTheRule(command: String, tool: String, rule: String) {
        let h = Harness()
        h.registerNull()
        let before = state(h)
        let result = h.expectFailure(command, 64, "\(tool)UsageError: ")
        #expect(result.stderr.contains(rule) && result.stderr.contains("(see: fabric(1), IDENTIFIERS)"), "\(command): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(command): \(result.stderr)")
        #expect(state(h) == before, "\(command) changed the store or the cloud")
    }

    /// The wrapper's check and the tools' are one rule: the same verdict on every name.
    @Test func theWrapperAndTheToolsGiveTheSameVerdicts() {
        let h = Harness()
        h.registerNull()
        let names = ["db", "db-1", "a.b_c", "9lives", String(repeating: "x", count: 64), String(repeating: "x", count: 65),
                     "-x", ".x", "_x", "..", "a/b", "a b", "a:b", "a~b", "ä", "a%2f", "", "x\ty"]
        for name in names {
            let quotedName = "'\(name)'"
            let wrapper = h.sh("fabric machine list demo --group \(quotedName)")
            let tool = h.sh("fabric-list-machines -p demo --group \(quotedName)")
            #expect((wrapper.status == 64) == (tool.status == 64), "group \(quotedName): fabric \(wrapper.status), tool \(tool.status)")
            let wrapperProvider = h.sh("fabric provider list --provider_id \(quotedName)")
            let toolProvider = h.sh("fabric-store list providers -p \(quotedName)")
            #expect((wrapperProvider.status == 64) == (toolProvider.status == 64),
                    "provider \(quotedName): fabric \(wrapperProvider.status), tool \(toolProvider.status)")
        }
        // Machine ids from a cloud may hold : and ~ (the rule for ids a cloud gives).
        for (name, valid) in [("i-0123456789abcdef0", true), ("a:b~c", true), ("a/b", false), ("..", false), ("-x", false)] {
            let wrapper = h.sh("fabric machine wait demo '\(name)' --timeout 1")
            let tool = h.sh("fabric-store protect -p demo '\(name)'")
            #expect((wrapper.status == 64) == !valid && (tool.status == 64) == !valid,
                    "machine \(name): fabric \(wrapper.status) \(wrapper.stderr), tool \(tool.status) \(tool.stderr)")
        }
    }
}
