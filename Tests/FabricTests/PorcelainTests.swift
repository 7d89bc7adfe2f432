import Foundation
import Testing

/// The porcelain as a builtin of fabric-tools (issue 27): errors in its own words, names checked
/// before anything is made, one version, one line at an interruption, the pipeline it runs shown.
@Suite struct PorcelainTests {
    /// Every error names the option the user typed, from `fabric:`, never an inner tool.
    @Test func errorsAreInThePorcelainsWords() {
        let h = Harness()
        h.registerNull()
        for (command, message) in [
            ("fabric machine create demo --number_machines 0", "--number_machines must be from 1 to 1000, not 0"),
            ("fabric machine create demo --number_machines ''", "'--number_machines <n>'"),
            ("fabric machine create demo --number-machines x", "'--number-machines <n>'"),
            ("fabric machine create demo --swap 0", "--swap"),
            ("fabric machine destroy demo ../x --skip_store --force", "machine id \"../x\" is not valid"),
            ("fabric snapshot create demo m1 --timeout ''", "--timeout takes a number of seconds above 0, not \"\""),
            ("fabric machine create demo --ready ''", "--ready needs stages"),
            ("fabric machine wait demo m1 --until ''", "--until needs stages"),
            ("fabric machine scale demo web", "'--to <n>'"),
        ] {
            let result = h.expectFailure(command, 64, message)
            #expect(result.stderr.hasPrefix("fabric: UsageError: "), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("fabric-"), "\(command) speaks as a tool: \(result.stderr)")
            #expect(!result.stderr.contains("--number "), "\(command): \(result.stderr)")
        }
        #expect(h.count("machines") == 0 && h.cloudMachines() == 0)
    }

    /// Names the cloud resolves before it creates anything are usage errors, as documented.
    @Test func unknownNamesExit64AndMakeNothing() {
        let h = Harness()
        h.registerNull()
        for (option, message) in [("--private_network nosuch", "private network \"nosuch\" not found"),
                                  ("--availability_zone nosuch", "availability zone \"nosuch\" does not exist"),
                                  ("--security_groups nosuch", "security group \"nosuch\" not found"),
                                  ("--public_network nosuch", "public network \"nosuch\" not found")] {
            h.expectFailure("fabric machine create demo --number_machines 2 \(option)", 64, message)
        }
        #expect(h.cloudMachines() == 0 && h.count("machines") == 0)
    }

    /// A uuid given twice is destroyed once, and the command succeeds.
    @Test func aRepeatedUuidCountsOnce() throws {
        let h = Harness()
        h.registerNull()
        let create = h.sh("fabric --json machine create demo --number_machines 2")
        let uuids = create.records.compactMap { $0["uuid"] as? String }
        try #require(uuids.count == 2, "\(create.stderr)")
        let destroy = h.sh("fabric --json machine destroy demo \(uuids[0]) \(uuids[0]) \(uuids[1]) \(uuids[0])")
        #expect(destroy.status == 0, "\(destroy.stderr)")
        #expect(destroy.records.count == 2 && destroy.stderr.isEmpty, "\(destroy.stdout) \(destroy.stderr)")
        #expect(h.count("machines") == 0 && h.cloudMachines() == 0)
        let wait = h.sh("fabric --json machine wait demo \(uuids[0]) \(uuids[0]) --skip_store --timeout 1")
        #expect(wait.records.count <= 1, "\(wait.stdout)")
    }

    /// `--synchronous=false` finds out before it detaches what a job would find out too late.
    @Test func aBackgroundCreateChecksItsImageFirst() {
        let h = Harness()
        h.registerNull()
        h.expectFailure("fabric --json machine create demo --image name=nosuch --synchronous=false", 1, "no image on provider \"demo\" matches name=nosuch")
        h.expectNothingListed("fabric --json job list")
    }

    /// fabric and every tool print one version string.
    @Test func oneVersionString() {
        let h = Harness()
        let expected = "fabric \(WrapperTests.version)\n"
        for command in ["fabric --version", "fabric version", "fabric-tools --version", "fabric-store --version", "fabric-boot --version"] {
            #expect(h.sh(command).stdout == expected, "\(command)")
        }
    }

    /// `--verbose` shows each pipeline that runs; help shows the pipeline of the command.
    @Test func theRunningPipelineIsShown() {
        let h = Harness()
        h.registerNull()
        let create = h.sh("fabric --verbose --json machine create demo --wait_spawning")
        #expect(create.status == 0, "\(create.stderr)")
        let shown = create.stderr.split(separator: "\n").filter { $0.hasPrefix("fabric: running: ") }
        #expect(shown.count == 1, "\(create.stderr)")
        #expect(shown.first.map { $0.contains("fabric-find-image") && $0.contains("| fabric-boot") && $0.contains("| fabric-store add") } == true)
        #expect(h.sh("fabric help machine create").stdout.contains("| fabric-wait --timeout SECONDS"))
    }

    /// Ctrl-C while the machines build: one line from the porcelain, naming what it removed,
    /// and nothing left in the cloud or the store.
    @Test func anInterruptedCreateSaysInOneLineWhatItRemoved() throws {
        let h = Harness()
        h.registerNull(extra: ["build_seconds=30"])
        let create = h.background("exec fabric --json machine create demo --number_machines 3 --wait_spawning --group sg")
        var built = 0
        for _ in 0..<500 where built < 3 {
            built = h.listing("fabric-list-machines -p demo")?.count ?? 0
            usleep(20_000)
        }
        try #require(built == 3, "the machines never showed in the cloud")
        kill(create.process.processIdentifier, SIGINT)
        let result = create.finish(seconds: 60)
        #expect(result.status == 130, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines == ["fabric: interrupted by SIGINT: removed the 3 machines this create made"], "\(result.stderr)")
        #expect(h.cloudMachines() == 0 && h.count("machines") == 0)
    }
}
