import Foundation
import Testing

/// The provider password stays secret: the store is private, no process's command line holds
/// it while a create runs, and nothing any command prints (output, errors, FABRIC_DEBUG
/// traces) contains it.
@Suite struct SecretTests {
    static let password = "Pw-5ecret-9d1c7a"

    @Test func storeIsPrivateAndNoCommandLineHoldsThePassword() throws {
        let h = Harness()
        let pwFile = h.write("pw.txt", Self.password + "\n")
        #expect(h.sh("fabric provider register demo admin null:// demo --provider_type null --password-stdin --default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium --extra latency_ms=150 --extra build_seconds=1 < pw.txt").status == 0)
        let file = try FileManager.default.attributesOfItem(atPath: h.store)
        #expect((file[.posixPermissions] as? Int) == 0o600)
        let nested = h.directory.appendingPathComponent("state/fabric/fabric.db").path
        #expect(h.sh("fabric-store list providers --store \(nested)").status == 0)
        let nestedDir = try FileManager.default.attributesOfItem(atPath: h.directory.appendingPathComponent("state/fabric").path)
        #expect((nestedDir[.posixPermissions] as? Int) == 0o700)
        // grep reads the password from a file, so its own command line does not hold it.
        // The scan itself must see a password where one is: a control process holding it in argv.
        let control = h.sh("bash -c 'sleep 2; true' \"$(cat \(pwFile))\" & sleep 0.3; grep -l -a -F -f \(pwFile) /proc/[0-9]*/cmdline 2> /dev/null | wc -l; wait")
        #expect(control.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "0", "the scan finds a password in argv")
        let scan = h.sh("""
            FABRIC_DEBUG=1 fabric machine create demo --number_machines 2 --public_network public > out.txt 2>&1 & pid=$!
            scans=0; hits=0
            while kill -0 "$pid" 2> /dev/null; do
              found=$(grep -l -a -F -f \(pwFile) /proc/[0-9]*/cmdline 2> /dev/null)
              [[ -n $found ]] && { hits=$((hits + 1)); echo "in: $found"; }
              scans=$((scans + 1))
            done
            wait "$pid"; echo "status $?"; cat out.txt; echo "scans $scans hits $hits"
            """)
        #expect(scan.stdout.contains("status 0"), "\(scan.stdout)")
        #expect(scan.stdout.contains("hits 0"), "\(scan.stdout)")
        let scans = scan.stdout.split(separator: "\n").first { $0.hasPrefix("scans ") } ?? ""
        #expect(!scans.hasPrefix("scans 0 "), "the create ended before a scan: \(scan.stdout)")
        print("secrets: /proc/*/cmdline during machine create: \(scans)")
    }

    @Test func noCommandPrintsThePassword() {
        let h = Harness()
        let pwFile = h.write("pw.txt", Self.password + "\n")
        let env = ["FABRIC_DEBUG": "1"]
        var printed = ""
        var commands = 0
        func run(_ command: String) -> Harness.Result {
            let result = h.sh(command, env: env)
            printed += result.stdout + result.stderr
            commands += 1
            return result
        }
        _ = run("fabric provider register demo admin null:// demo --provider_type null --password-file \(pwFile) --default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium")
        _ = run("fabric --json provider register demo admin null:// demo --provider_type null --password-file \(pwFile)")  // exists
        _ = run("fabric --json provider list")
        _ = run("fabric --table provider list")
        _ = run("fabric-store list providers; fabric-store get provider demo")
        let uuid = run("fabric --json machine create demo --number_machines 2 --public_network public | jq -r .uuid | head -n 1")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = run("fabric --json machine create demo --image name=nope")
        _ = run("fabric --json machine list demo; fabric machine list demo --skip_store")
        _ = run("fabric --json snapshot create demo \(uuid) --wait_spawning")
        _ = run("fabric --json snapshot destroy demo \(uuid)")
        _ = run("fabric --json machine destroy demo \(uuid)")
        _ = run("fabric-find-image -p demo --all; fabric-find-flavor -p demo --all -n")
        _ = run("fabric-store list machines | fabric-destroy | fabric-store remove")
        _ = run("fabric provider unregister demo")
        _ = run("fabric provider unregister demo")
        #expect(printed.contains("ProviderError"), "the failing commands ran")
        #expect(!printed.contains(Self.password), "a command printed the password")
        print("secrets: \(commands) commands of a full workflow with FABRIC_DEBUG=1, \(printed.utf8.count) bytes printed, password found: \(printed.contains(Self.password))")
    }
}
