import Foundation
import Testing

/// The `fabric` wrapper as a user types it: help, version, spellings and common options.
@Suite struct WrapperTests {
    static let commands = ["provider register", "provider unregister", "provider list", "machine create",
                           "machine destroy", "machine wait", "machine list", "machine scale", "machine refresh", "machine protect",
                           "machine unprotect", "snapshot create", "snapshot destroy", "job list", "job show", "job wait", "job cancel"]

    /// fabric's version, from the one place it is written (the Makefile and bin/fabric read it too).
    static let version: String = {
        let source = (try? String(contentsOf: Harness.root.appendingPathComponent("Sources/FabricRecords/System/Version.swift"), encoding: .utf8)) ?? ""
        let line = source.split(separator: "\n").first { $0.hasPrefix("public let fabricVersion = \"") } ?? ""
        return String(line.split(separator: "\"").dropFirst().first ?? "?")
    }()

    @Test func versionAndHelp() {
        let h = Harness()
        for command in ["fabric --version", "fabric version"] {
            let result = h.sh(command)
            #expect(result.status == 0)
            #expect(result.stdout == "fabric \(Self.version)\n")
        }
        for command in ["fabric help", "fabric --help", "fabric -h"] {
            let result = h.sh(command)
            #expect(result.status == 0)
            #expect(result.stdout.contains("USAGE: fabric [--json|--table] GROUP COMMAND"), "\(result.stdout)")
            for group in ["provider", "machine", "snapshot", "job"] {
                #expect(result.stdout.contains("\n  \(group) "), "\(command) lacks \(group)")
            }
        }
        // Help at every level: each group lists its commands, with -h, --help and help GROUP.
        for group in ["provider", "machine", "snapshot", "job"] {
            for line in ["fabric \(group) --help", "fabric \(group) -h", "fabric help \(group)"] {
                let result = h.sh(line)
                #expect(result.status == 0, "\(line): \(result.stderr)")
                for name in WrapperTests.commands where name.hasPrefix(group + " ") {
                    #expect(result.stdout.contains("\n  \(name.dropFirst(group.count + 1)) "), "\(line) lacks \(name)")
                }
            }
            // A group alone is a usage error that shows the group's help.
            let bare = h.sh("fabric \(group)")
            #expect(bare.status == 64 && bare.stderr.contains("USAGE: fabric \(group) <subcommand>"), "\(bare.stderr)")
        }
        for command in ["fabric help", "fabric help machine create", "fabric machine create --help"] {
            let head = h.sh("\(command) | head -n 1")
            #expect(head.status == 0, "\(command) | head: status \(head.status) (SIGPIPE?)")
        }
        let bare = h.sh("fabric")
        #expect(bare.status == 64)
        #expect(bare.stdout.isEmpty)
        #expect(bare.stderr.hasPrefix("fabric: needs a command") && bare.stderr.contains("USAGE: fabric"), "\(bare.stderr)")
    }

    /// `fabric help GROUP COMMAND` and `fabric GROUP COMMAND --help` print the command's usage
    /// and the pipeline of tools it runs, and nothing else runs.
    @Test(arguments: commands)
    func commandHelp(command: String) {
        let h = Harness()
        let pipelineTool = [
            "provider register": "fabric-store register", "provider unregister": "fabric-store remove provider",
            "provider list": "fabric-store list providers", "machine create": "fabric-boot -p ID --group",
            "machine destroy": "fabric-destroy", "machine wait": "fabric-wait --timeout", "machine list": "fabric-list-machines",
            "machine scale": "fabric-scale -p ID --group GROUP --to N", "machine refresh": "fabric-list-machines -p ID --group GROUP",
            "machine protect": "fabric-store protect -p ID",
            "machine unprotect": "fabric-store protect -p ID UUID... --off",
            "snapshot create": "fabric-snapshot create", "snapshot destroy": "fabric-snapshot destroy",
            "job list": "fabric-job list", "job show": "fabric-job show", "job wait": "fabric-job wait",
            "job cancel": "fabric-job cancel",
        ][command]!
        for line in ["fabric help \(command)", "fabric \(command) --help", "fabric \(command) -h",
                     "fabric --json \(command) demo --help"] {
            let result = h.sh(line)
            #expect(result.status == 0, "\(line): \(result.stderr)")
            #expect(result.stdout.contains("USAGE: fabric \(command)"), "\(line): \(result.stdout)")
            #expect(result.stdout.contains(pipelineTool), "\(line) does not show the pipeline: \(result.stdout)")
            #expect(result.stdout.contains("--synchronous"))
            // Every option of the usage is explained under Options.
            let parts = result.stdout.components(separatedBy: "\nOPTIONS:\n")
            #expect(parts.count == 2, "\(line): no Options section")
            let usage = parts[0].components(separatedBy: "USAGE: ").last?.components(separatedBy: "\n\n").first ?? ""
            let options = parts.count == 2 ? parts[1] : ""
            let pattern = try! NSRegularExpression(pattern: "--[a-z][a-z_-]*")
            let found = pattern.matches(in: usage, range: NSRange(usage.startIndex..., in: usage))
                .map { String(usage[Range($0.range, in: usage)!]) }
            // A usage too long for one line is shown as <options>: each is under OPTIONS anyway.
            #expect(!found.isEmpty || usage.contains("[<options>]"), "\(line): \(usage)")
            for option in found where !["--json", "--table"].contains(option) {
                #expect(options.contains("  \(option)"), "\(line): \(option) is not explained")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: h.store), "help must not touch the store")
    }

    @Test func helpOnGroupsToolsAndUnknowns() {
        let h = Harness()
        let group = h.sh("fabric help machine")
        #expect(group.status == 0)
        let listed = ["create", "destroy", "wait", "list", "scale", "protect", "unprotect"]
        #expect(group.lines.filter { line in listed.contains { line.hasPrefix("  \($0) ") } }.count == 7, "\(group.stdout)")
        #expect(!group.stdout.contains("register"))
        let tool = h.sh("fabric help boot")
        #expect(tool.status == 0)
        #expect(tool.stdout.contains("USAGE: fabric-boot"))
        h.expectFailure("fabric help machine frobnicate", 64, "unknown command: fabric machine frobnicate")
        h.expectFailure("fabric help nope", 64, "no fabric-nope on PATH")
    }

    /// The spec's common option is accepted by every command, as `fabric help` says.
    @Test func synchronousIsAcceptedByEveryCommand() {
        let h = Harness()
        let register = h.sh("fabric --json provider register demo admin secret null:// demo --provider_type null --default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium --synchronous")
        #expect(register.status == 0, "\(register.stderr)")
        #expect(h.sh("fabric --json provider list --synchronous").records.count == 1)
        let create = h.sh("fabric --json machine create demo --synchronous --wait_spawning")
        #expect(create.status == 0, "\(create.stderr)")
        let uuid = create.records.first?["uuid"] as? String ?? "?"
        #expect(h.sh("fabric --json machine list demo --synchronous").records.count == 1)
        #expect(h.sh("fabric --json machine list demo --skip_store --synchronous").records.count == 1)
        #expect(h.sh("fabric --json snapshot create demo \(uuid) --synchronous --wait_spawning").status == 0)
        #expect(h.sh("fabric --json snapshot destroy demo \(uuid) --synchronous").records.count == 1)
        #expect(h.sh("fabric --json machine destroy demo \(uuid) --synchronous").status == 0)
        #expect(h.sh("fabric provider unregister demo --synchronous").status == 0)
        // =true and its spellings are the default; a value that is no boolean is a usage error.
        #expect(h.sh("fabric --json provider list --synchronous=yes").records.isEmpty)
        let valued = h.sh("fabric provider list --synchronous=maybe")
        #expect(valued.status == 64)
        #expect(valued.stderr.contains("--synchronous takes true or false"))
    }
}
