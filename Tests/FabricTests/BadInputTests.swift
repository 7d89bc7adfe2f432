import Foundation
import Testing

/// The bad-input corpus: malformed, truncated and mistyped records on the tools' standard input
/// and bad options and arguments, each with its documented exit status (65 malformed input,
/// 64 usage, 2 provider, 1 machine) and a message naming the problem, and the store (which
/// holds the emulated cloud too) byte for byte the same afterwards.
@Suite struct BadInputTests {
    struct Case {
        let command: String
        let stdin: [UInt8]?
        let status: Int32
        let message: String
        init(_ command: String, _ stdin: String? = nil, _ status: Int32, _ message: String) {
            self.command = command
            self.stdin = stdin.map { Array($0.utf8) }
            self.status = status
            self.message = message
        }
        init(_ command: String, bytes: [UInt8], _ status: Int32, _ message: String) {
            self.command = command
            stdin = bytes
            self.status = status
            self.message = message
        }
    }

    static let machine = #"{"kind":"machine","provider_id":"demo","uuid":"u-1"}"#
    static let tenMegabytes = #"{"kind":"machine","provider_id":"demo","pad":""# + String(repeating: "A", count: 10 << 20) + "\"}"

    static let cases: [Case] = [
        // Records on standard input.
        Case("fabric-store add", #"{"kind":"machine","provider_id":"demo""#, 65, "invalid JSON"),
        Case("fabric-store add", #"{"kind":"machine",}"#, 65, "invalid JSON"),
        Case("fabric-store add", "[1,2]", 65, "expected a JSON object, found an array"),
        Case("fabric-store add", "42", 65, "found a number"),
        Case("fabric-store add", "\"text\"", 65, "found a string"),
        Case("fabric-store add", "null", 65, "found null"),
        Case("fabric-store add", "true", 65, "found a boolean"),
        Case("fabric-store add", "}", 65, "found '}'"),
        Case("fabric-store add", "hello", 65, "found 'h'"),
        Case("fabric-store add", bytes: Array(#"{"kind":"machine","provider_id":"demo","uuid":""#.utf8) + [0xFF, 0xFE] + Array("\"}".utf8), 65, "invalid JSON"),
        Case("fabric-store add", bytes: [0] + Array(machine.utf8), 65, "a NUL byte"),
        Case("fabric-store add", bytes: Array(#"{"kind":"machine","provider_id":"demo","uuid":"a"#.utf8) + [0] + Array("b\"}".utf8), 65, "invalid JSON"),
        Case("fabric-store add", machine + "\n{\n \"kind\": \"machine\",\n \"uuid\": }\n", 65, "line 4"),
        Case("fabric-store add", tenMegabytes, 65, "lacks \"uuid\""),
        Case("fabric-store add", String(tenMegabytes.dropLast(2)), 65, "invalid JSON"),
        Case("fabric-store add", #"{"kind":"machine","provider_id":"demo","uuid":5}"#, 65, "uuid"),
        Case("fabric-store add", #"{"kind":"machine","provider_id":["demo"],"uuid":"x"}"#, 65, "provider_id"),
        Case("fabric-store add", #"{"kind":"machine","provider_id":"nope","uuid":"x"}"#, 2, "provider \"nope\" does not exist"),
        Case("fabric-store add", #"{"kind":"machine","provider_id":"a b; $(touch pwned)","uuid":"x"}"#, 64, "is not valid: a provider id is"),
        Case("fabric-store add", #"{"kind":"banana","provider_id":"demo","uuid":"x"}"#, 65, "banana"),
        Case("fabric-store add", "{}", 65, "record"),
        Case("fabric-store add", machine + "\n" + #"{"kind":"snapshot","provider_id":"demo"}"#, 65, "lacks \"id\""),
        Case("fabric-store add", #"{"kind":"image","id":"x"}"#, 65, "not"),
        Case("fabric-store remove", #"{"kind":"machine","provider_id":"demo"}"#, 65, "lacks \"uuid\""),
        Case("fabric-store remove", "[]", 65, "found an array"),
        Case("fabric-wait", "[]", 65, "found an array"),
        Case("fabric-wait", #"{"kind":"machine","provider_id":"demo""#, 65, "invalid JSON"),
        Case("fabric-destroy", machine + "\n" + #"{"kind":"machine","provider_id":"demo"}"#, 65, "lacks \"uuid\""),
        Case("fabric-destroy", #"{"kind":"machine","provider_id":"x'y","uuid":"u"}"#, 64, "is not valid: a provider id is"),
        Case("fabric-snapshot create", #"{"kind":"machine","uuid":"x"}"#, 64, "no provider"),
        Case("fabric-snapshot destroy", #"{"kind":"flavor","provider_id":"demo","id":"x"}"#, 65, "not"),
        Case("fabric-public-address", #"{"kind":"machine","provider_id":"demo","public_network":"public"}"#, 65, "lacks \"uuid\""),
        Case("fabric-find-flavor -p demo", "[1]", 65, "found an array"),
        Case("fabric-boot -p demo", #"{"provider_id":"demo","image":{"id":"x"}}"#, 65, "no flavor.id"),
        Case("fabric-boot -p demo", #"{"provider_id":"demo","flavor":{"id":"x"}}"#, 65, "no image.id"),
        Case("fabric-table", #"{"a":1"#, 65, "invalid JSON"),
        // Options and arguments.
        Case("fabric-find-image -p demo --image mindisk=abc", nil, 64, "mindisk"),
        Case("fabric-find-image -p demo --image noequals", nil, 64, "not of the form key=value"),
        Case("fabric-find-image -p demo --image =x", nil, 64, "empty key"),
        // A huge number is still a number: no image needs that much, which is the no-match error.
        Case("fabric-find-image -p demo --image min_disk=99999999999999999999999", nil, 1, "no image on provider \"demo\" matches min_disk="),
        Case("fabric-find-flavor -p demo -n --flavor ram=-5", nil, 64, "ram"),
        Case("fabric-boot -p demo -n --number=-1", nil, 64, "--number must be a whole number"),
        Case("fabric-boot -p demo -n --number 0", nil, 64, "--number must be a whole number"),
        Case("fabric-boot -p demo -n --number 99999999999999999999", nil, 64, "--number must be a whole number"),
        Case("fabric-boot -p demo -n --swap -1", nil, 64, "--swap"),
        Case("fabric-boot -p demo -n --block-device vdb=", nil, 64, "needs an id"),
        Case("fabric-boot -p demo -n --block-device vdb=x:image", nil, 64, "needs a size"),
        Case("fabric-boot -p demo -n --block-device vdb=x:volume:-3", nil, 64, "size"),
        Case("fabric-boot -p demo -n --block-device 'v db=x'", nil, 64, "not a device name"),
        Case("fabric-boot -p demo -n --private-nics net-id=", nil, 64, "net-id has no value"),
        Case("fabric-boot -p demo -n --private-nics net-id=a,v4-fixed-ip=999.1.1.1", nil, 64, "not an IPv4 address"),
        Case("fabric-boot -p demo -n --public-nics v4-fixed-ip=1.2.3.4", nil, 64, "unknown key"),
        Case("fabric-boot -p demo -n --meta fabric_group=x", nil, 64, "reserved"),
        Case("fabric-boot -p demo -n --scheduler-hints novalue", nil, 64, "not of the form key=value"),
        Case("fabric-wait --timeout -1 < /dev/null", nil, 64, "--timeout"),
        Case("fabric-wait --timeout abc < /dev/null", nil, 64, "timeout"),
        Case("fabric machine create demo --number_machines 0", nil, 64, "--number_machines must be from 1 to 1000"),
        Case("fabric machine create demo --number_machines=-2", nil, 64, "--number_machines must be from 1 to 1000"),
        Case("fabric machine create 'a b'", nil, 64, "is not valid: a provider id is"),
        Case("fabric machine create 'x;touch pwned'", nil, 64, "is not valid: a provider id is"),
        Case("fabric machine create '$(touch pwned)'", nil, 64, "is not valid: a provider id is"),
        Case("fabric machine create \"it's\"", nil, 64, "is not valid: a provider id is"),
        Case("fabric machine create 'ünïcødé-☁'", nil, 64, "is not valid: a provider id is"),
        Case("fabric machine create demo --userdata /nonexistent/file", nil, 64, "cannot read"),
        Case("fabric machine create demo --private_network private --private_nics net-id=private", nil, 64, "exclude each other"),
        Case("fabric machine destroy demo 'no such; $(touch pwned)'", nil, 64, "is not valid: a machine id is"),
        Case("fabric snapshot create demo '\"quoted\"'", nil, 64, "is not valid: a machine id is"),
        Case("fabric provider register 'a b' u pw null:// t --provider_type null", nil, 64, "is not valid: a provider id is"),
        Case("fabric provider register p u pw null:// t --provider_type banana", nil, 2, "unknown provider type"),
        Case("fabric provider register p u pw null:// t --provider_type null --extra latency_ms=-5", nil, 64, "latency_ms"),
        Case("fabric provider register p u pw null:// t --provider_type null --extra quota=999999999999999999999", nil, 64, "quota"),
        Case("fabric provider register p u pw null:// t --provider_type null --extra bogus=1", nil, 64, "unknown --extra key"),
        Case("fabric provider register p u pw null:// t --provider_type null --extra novalue", nil, 64, "key=value"),
        Case("fabric provider unregister '$(touch pwned)'", nil, 64, "is not valid: a provider id is"),
    ]

    @Test func corpus() throws {
        let h = Harness()
        h.registerNull()
        #expect(h.sh("fabric --json machine create demo --number_machines 2 --wait_spawning").status == 0)
        // The store as sqlite3 dumps it, compared after every case: the baseline must be a real
        // dump (the provider and the two machines in it), or "unchanged" would compare nothing.
        let dump = "sqlite3 \"$FABRIC_STORE\" .dump"
        let baseline = h.sh(dump)
        let before = baseline.stdout
        try #require(baseline.status == 0 && before.contains("INSERT INTO providers") && before.contains("INSERT INTO machines"),
                     "the store's dump failed or is empty: \(baseline.stderr) \(before.prefix(200))")
        var passed = 0
        for (index, item) in Self.cases.enumerated() {
            var command = item.command
            if let stdin = item.stdin {
                let file = h.directory.appendingPathComponent("case-\(index)")
                try Data(stdin).write(to: file)
                command += " < \(file.path)"
            }
            let result = h.sh(command)
            let dumped = h.sh(dump)
            let statusOK = result.status == item.status
            let messageOK = result.stderr.contains(item.message)
            let unchanged = dumped.status == 0 && dumped.stdout == before
            #expect(statusOK, "case \(index) \(item.command): status \(result.status), expected \(item.status): \(result.stderr.prefix(300))")
            #expect(messageOK, "case \(index) \(item.command): \(result.stderr.prefix(300)) lacks \(item.message)")
            #expect(unchanged, "case \(index) \(item.command) changed the store (dump status \(dumped.status))")
            #expect(result.stdout.isEmpty, "case \(index) \(item.command) printed \(result.stdout.prefix(200))")
            if statusOK && messageOK && unchanged && result.stdout.isEmpty { passed += 1 }
        }
        #expect(!FileManager.default.fileExists(atPath: h.directory.appendingPathComponent("pwned").path), "no value was run as a command")
        print("corpus: \(Self.cases.count) cases, \(passed) passed")
    }
}
