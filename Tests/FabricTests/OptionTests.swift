import Foundation
import Testing

/// The plumbing tools' own options, help and errors, run as a user types them.
@Suite struct OptionTests {
    static let tools = DocumentationTests.tools

    @Test(arguments: tools)
    func helpFlagsPrintHelpOnStdout(tool: String) {
        let h = Harness()
        for flag in ["--help", "-h"] {
            let result = h.run(Harness.binDirectory.appendingPathComponent(tool).path, [flag])
            #expect(result.status == 0, "\(tool) \(flag): \(result.stderr)")
            #expect(result.stdout.contains("OVERVIEW:"), "\(tool) \(flag) printed: \(result.stdout)")
            #expect(result.stdout.contains("USAGE: \(tool)"), "\(tool) \(flag) printed: \(result.stdout)")
            #expect(result.stderr.isEmpty, "\(tool) \(flag): \(result.stderr)")
        }
    }

    @Test func subcommandHelpIsPrinted() {
        let h = Harness()
        let cases = [
            ("fabric-store help list", "USAGE: fabric-store list"),
            ("fabric-store list --help", "USAGE: fabric-store list"),
            ("fabric-snapshot create --help", "USAGE: fabric-snapshot create"),
            ("fabric-snapshot help destroy", "USAGE: fabric-snapshot destroy"),
            ("fabric-store add -h", "USAGE: fabric-store add"),
        ]
        for (command, usage) in cases {
            let result = h.sh(command)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(result.stdout.contains(usage), "\(command) printed: \(result.stdout)")
        }
    }

    @Test func versionIsPrinted() {
        let h = Harness()
        for tool in OptionTests.tools {
            let result = h.sh("\(tool) --version")
            #expect(result.status == 0)
            #expect(result.stdout == "fabric \(WrapperTests.version)\n", "\(tool): \(result.stdout)")
        }
    }

    /// A FabricError thrown while ArgumentParser validates options is reported once, as itself.
    @Test func validationErrorsAreNotDoubled() {
        let h = Harness()
        let cases = [
            ("fabric-wait --timeout 0", "fabric-wait: UsageError: --timeout must be a positive number of seconds\n"),
            ("fabric-wait --interval 0", "fabric-wait: UsageError: --interval must be from 0 to 3600 seconds\n"),
            ("fabric-wait --interval 2 --max-interval 1",
             "fabric-wait: UsageError: --max-interval must be at least --interval and at most 3600\n"),
        ]
        for (command, message) in cases {
            let result = h.sh(command + " < /dev/null")
            #expect(result.status == 64, "\(command): \(result.status)")
            #expect(result.stderr == message, "\(command): \(result.stderr)")
        }
    }

    @Test func unknownOptionIsAUsageError() {
        let h = Harness()
        let result = h.sh("fabric-boot --nope < /dev/null")
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("fabric-boot: UsageError: Unknown option '--nope'"), "\(result.stderr)")
        #expect(!result.stderr.contains("UsageError: UsageError"))
    }

    // MARK: completions of values

    /// Options that take a file complete file names, and --type its values, in the generated
    /// zsh and fish completions.
    @Test func fileOptionsCompleteFileNames() {
        let cases: [(tool: String, option: String)] = [
            ("fabric-boot", "userdata"), ("fabric-boot", "files"), ("fabric-boot", "store"),
            ("fabric-store", "password-file"), ("fabric-store", "store"), ("fabric-wait", "store"),
            ("fabric-destroy", "store"), ("fabric-snapshot", "store"), ("fabric-list-machines", "store"),
        ]
        for (tool, option) in cases {
            let zsh = DocumentationTests.text(DocumentationTests.completions, "_\(tool)")
            let fish = DocumentationTests.text(DocumentationTests.completions, "\(tool).fish")
            #expect(zsh.split(separator: "\n").contains { ($0.contains("--\(option)[") || $0.contains("--\(option),")) && $0.hasSuffix(":_files'") },
                    "_\(tool): --\(option) does not complete files")
            #expect(fish.split(separator: "\n").contains { $0.contains("-l '\(option)'") && $0.hasSuffix("-rF") },
                    "\(tool).fish: --\(option) does not complete files")
        }
        let fish = DocumentationTests.text(DocumentationTests.completions, "fabric-store.fish")
        #expect(fish.contains("-l 'type'") && fish.contains("-rfka 'OPENSTACK AMAZON NULLPROVIDER openstack amazon ec2 null'"))
    }

    // MARK: fabric-find-flavor and the image's minimums

    @Test func findFlavorLeavesOutFlavorsTooSmallForTheImage() {
        let h = Harness()
        h.registerNull()
        // oraclelinux-9-mysql-8.0: min_disk 20 GB, min_ram 2048 MB; m1.tiny has 1 GB and 512 MB.
        let image = "fabric-find-image -p demo --image name=oraclelinux-9-mysql-8.0"
        let one = h.sh("\(image) | fabric-find-flavor --flavor vcpus=1 | jq -r .flavor.name")
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout == "m1.small\n")
        #expect(!one.stderr.contains("2 flavors match"), "m1.tiny must not even be a candidate: \(one.stderr)")
        let all = h.sh("\(image) | fabric-find-flavor --all | jq -r .flavor.name")
        #expect(all.lines == ["db.mysql.medium", "m1.large", "m1.medium", "m1.small", "m1.xlarge"])
        let tiny = h.sh("\(image) | fabric-find-flavor --flavor name=m1.tiny")
        #expect(tiny.status == 1)
        #expect(tiny.stderr.contains("MachineError: no flavor matching name=m1.tiny is large enough: image oraclelinux-9-mysql-8.0 needs min_disk 20 GB and min_ram 2048 MB, and m1.tiny is smaller"),
                "\(tiny.stderr)")
        #expect(tiny.stdout.isEmpty)
        // A small image keeps every flavor.
        let cirros = h.sh("fabric-find-image -p demo --image name=cirros-0.6.2 | fabric-find-flavor --all | wc -l")
        #expect(cirros.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "6")
        let create = h.sh("fabric machine create demo --image name=oraclelinux-9-mysql-8.0 --flavor name=m1.tiny")
        #expect(create.status == 1)
        #expect(create.stderr.contains("is large enough"))
        #expect(h.cloudMachines() == 0)
    }

    // MARK: fabric-boot --dry-run

    @Test func dryRunShowsNameAndMetadata() {
        let h = Harness()
        h.registerNull()
        let result = h.sh("fabric-find-image -p demo | fabric-find-flavor | fabric-boot --dry-run --name web --group g1 --batch b1 --meta role=db --number 2")
        #expect(result.status == 0, "\(result.stderr)")
        let call = result.records.first ?? [:]
        let request = call["request"] as? [String: Any] ?? [:]
        #expect(call["count"] as? Int == 2)
        #expect(request["name_prefix"] as? String == "web")
        #expect(request["meta"] as? [String: String] == ["role": "db", "fabric_group": "g1", "fabric_batch": "b1", "fabric_provider": "demo"])
        #expect(h.cloudMachines() == 0, "--dry-run boots nothing")
    }

    // MARK: fabric-store list filters

    @Test func listFiltersForAnotherKindAreErrors() {
        let h = Harness()
        h.registerNull()
        let cases = [
            ("providers --uuid x", "--uuid filters machines, not providers"),
            ("providers --group g", "--group filters machines, not providers"),
            ("providers --status ACTIVE", "--status filters machines and snapshots, not providers"),
            ("providers --machine m", "--machine filters snapshots, not providers"),
            ("snapshots --uuid x", "--uuid filters machines, not snapshots"),
            ("snapshots --group g", "--group filters machines, not snapshots"),
            ("machines --machine m", "--machine filters snapshots, not machines"),
            ("machine --machine m", "--machine filters snapshots, not machines"),
        ]
        for (arguments, message) in cases {
            let result = h.sh("fabric-store list \(arguments)")
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr == "fabric-store: UsageError: \(message)\n", "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        for arguments in ["machines --status ACTIVE --group g --uuid u", "snapshots --status active --machine m", "providers -p demo"] {
            #expect(h.sh("fabric-store list \(arguments)").status == 0, "\(arguments)")
        }
    }

    // MARK: where a cut-short record ends

    @Test func truncatedLastRecordNamesItsLineAndByte() {
        let h = Harness()
        h.registerNull()
        let cases: [(String, String)] = [
            ("{\"a\":1}\n\n{\"kind\":\"machine\",\"uuid\":", "stdin: line 3, column 26 (byte 35): invalid JSON: the input ends inside the record that starts on line 3"),
            ("{\"a\":1}\n{\"kind\":\"machine\",\n  \"uuid\":\"ab\n\n", "stdin: line 3, column 13 (byte 40): invalid JSON: the input ends inside the record that starts on line 2"),
            ("{\"a\":{\"b\":1}\n", "stdin: line 1, column 13 (byte 13): invalid JSON: the input ends inside the record that starts on line 1"),
        ]
        for (input, message) in cases {
            for tool in ["fabric-store remove", "fabric-wait", "fabric-destroy"] {
                let result = h.sh(tool, stdin: input)
                #expect(result.status == 65, "\(tool)")
                #expect(result.stderr.contains(message), "\(tool): \(result.stderr)")
                #expect(!result.stderr.contains("column 0"))
            }
        }
        // An error inside a complete record keeps jansson's position.
        let inside = h.sh("fabric-store remove", stdin: "{\"a\":1}\n{\"kind\":\"machine\", \"uuid\":x}\n")
        #expect(inside.stderr.contains("stdin: line 2, column 27: invalid JSON: invalid token near 'x'"), "\(inside.stderr)")
    }
}
