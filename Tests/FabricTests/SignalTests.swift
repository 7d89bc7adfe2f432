import Foundation
import Testing

/// SIGINT and SIGTERM at each stage of `machine create` and `snapshot create --wait_spawning`,
/// sent to the wrapper alone and to its process group (as a terminal's ^C is): the command
/// ends with 130/143 and leaves nothing in the emulated cloud and no half-recorded row. Stages
/// are found by polling (processes by their --store argument, rows of the emulated cloud),
/// never by sleeping a fixed time. And a reader that closes early ends the tools quietly.
@Suite struct SignalTests {
    struct Stage {
        let name: String
        let knobs: [String]
        let options: String
        /// bash run before polling (e.g. a lock holder); may use the helpers of `script`.
        let prepare: String
        /// bash condition, true once the command is in this stage.
        let reached: String
    }

    static let stages: [Stage] = [
        Stage(name: "find image", knobs: ["latency_ms=3000"], options: "", prepare: "",
              reached: "running fabric-find-image"),
        Stage(name: "find flavor", knobs: ["latency_ms=1500"], options: "", prepare: "",
              reached: "! running fabric-find-image && running fabric-find-flavor"),
        Stage(name: "boot", knobs: ["latency_ms=1500"], options: "--number_machines 2", prepare: "",
              reached: "! running fabric-find-flavor && running fabric-boot"),
        Stage(name: "wait", knobs: ["build_seconds=60"], options: "--number_machines 2 --wait_spawning", prepare: "",
              reached: "[[ $(rows null_servers) == 2 ]] && ! running fabric-boot && running fabric-wait"),
        // Addresses are given while the machines build, before fabric-wait has its input.
        Stage(name: "public address", knobs: ["latency_ms=1500", "build_seconds=0"],
              options: "--number_machines 2 --public_network public", prepare: "",
              reached: "[[ $(rows null_servers) == 2 ]] && ! running fabric-boot && running fabric-public-address"),
        // The store step is made to last by a lock holder that starts once the machines exist
        // (so fabric-boot is not the one held up) and lets go after a few seconds. The wait for
        // the machines is bounded (12 s) like every poll here: a stage never reached is a failure.
        Stage(name: "store", knobs: ["build_seconds=1"], options: "--number_machines 2 --wait_spawning",
              prepare: """
                for _ in $(seq 600); do [[ $(rows null_servers) == 2 ]] && break; sleep 0.02; done
                { echo 'BEGIN IMMEDIATE;'; sleep 5; echo 'COMMIT;'; } | sqlite3 "$store" &
                """,
              reached: "! running fabric-wait && ! running fabric-public-address && running 'fabric-store add'"),
    ]

    /// Bash helpers every scenario uses: `running TOOL` (a process of this test's store, not one
    /// of the wrapper's --check runs before the pipeline) and `rows TABLE`.
    static let helpers = #"""
        store=$FABRIC_STORE
        running() { pgrep -af -- "$1 --store=$store" | grep -qv -- ' --check'; }
        rows() { sqlite3 "$store" "SELECT count(*) FROM $1"; }
        """#

    /// Starts `command` as a job in its own process group, polls until `reached`, sends
    /// `signal` to the wrapper (or its group), and prints "status N" and "reached 0|1".
    static func script(command: String, prepare: String, reached: String, signal: String, toGroup: Bool) -> String {
        """
        \(helpers)
        set -m
        # The test runner hands down SIGINT ignored, and bash cannot trap a signal ignored on
        # entry: start the command as a shell would, with both signals at their defaults.
        env --default-signal=INT,TERM \(command) > out.txt 2> err.txt &
        pid=$!
        set +m
        \(prepare)
        ok=0
        for _ in $(seq 600); do
          if \(reached); then ok=1; break; fi
          sleep 0.02
        done
        kill -\(signal) -- \(toGroup ? "-" : "")"$pid"
        wait "$pid"; echo "status $?"
        echo "reached $ok"
        wait
        """
    }

    static func checkClean(_ h: Harness, _ label: String, machines: Int = 0, servers: Int = 0) -> Bool {
        var clean = true
        for (table, expected) in [("null_servers", servers), ("null_addresses", 0), ("null_images", 0),
                                  ("machines", machines), ("snapshots", 0)] {
            let count = h.sql("SELECT count(*) FROM \(table)")
            if count != [String(expected)] {
                clean = false
                Issue.record("\(label): \(table) holds \(count), expected \(expected)")
            }
        }
        return clean
    }

    nonisolated(unsafe) static var tally = (run: 0, clean: 0)

    @Test(arguments: [("INT", 130), ("TERM", 143)], [false, true])
    func machineCreateAtEveryStageLeavesNothing(signal: (name: String, status: Int), toGroup: Bool) {
        var clean = 0
        for stage in Self.stages {
            let h = Harness()
            h.registerNull(extra: stage.knobs)
            let label = "SIG\(signal.name) to \(toGroup ? "the group" : "the wrapper") during \(stage.name)"
            let command = "fabric --json machine create demo --store=\"$store\" \(stage.options)"
            let result = h.sh(Self.script(command: command, prepare: stage.prepare, reached: stage.reached,
                                          signal: signal.name, toGroup: toGroup))
            let err = (try? String(contentsOfFile: h.directory.appendingPathComponent("err.txt").path, encoding: .utf8)) ?? ""
            #expect(result.stdout.contains("reached 1"), "\(label): the stage was never reached: \(result.stdout) \(err)")
            let statusOK = result.stdout.contains("status \(signal.status)")
            #expect(statusOK, "\(label): \(result.stdout) \(err)")
            if Self.checkClean(h, label) && statusOK { clean += 1 }
        }
        print("signals: machine create, SIG\(signal.name) to \(toGroup ? "group" : "wrapper"): \(Self.stages.count) stages, \(clean) left nothing")
    }

    @Test(arguments: [("INT", 130), ("TERM", 143)], [false, true])
    func snapshotCreateWaitingLeavesNothing(signal: (name: String, status: Int), toGroup: Bool) {
        let h = Harness()
        h.registerNull(extra: ["snapshot_seconds=60"])
        let uuid = h.sh("fabric --json machine create demo --wait_spawning | jq -r .uuid").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!uuid.isEmpty)
        let label = "snapshot create, SIG\(signal.name) to \(toGroup ? "the group" : "the wrapper")"
        let command = "fabric --json snapshot create demo \(uuid) --wait_spawning --store=\"$store\""
        let result = h.sh(Self.script(command: command, prepare: "",
                                      reached: "[[ $(rows null_images) == 1 ]] && running 'fabric-snapshot create'",
                                      signal: signal.name, toGroup: toGroup))
        let err = (try? String(contentsOfFile: h.directory.appendingPathComponent("err.txt").path, encoding: .utf8)) ?? ""
        #expect(result.stdout.contains("reached 1"), "\(label): \(result.stdout) \(err)")
        #expect(result.stdout.contains("status \(signal.status)"), "\(label): \(result.stdout) \(err)")
        let clean = Self.checkClean(h, label, machines: 1, servers: 1)
        print("signals: \(label): \(clean ? "left nothing" : "LEFT SOMETHING")")
    }

    /// The clean-up of an interrupted create names the provider; an id with quotes and $(...)
    /// could be run as code by a careless one. The identifier rule (fabric(1), IDENTIFIERS)
    /// refuses such an id at every door, before anything is stored or sent.
    @Test func aProviderIdThatIsCodeIsRefusedAtEveryDoor() {
        let h = Harness()
        h.registerNull()
        let id = "x'$(touch${IFS}pwned)'"
        let before = h.sh("sqlite3 \"$FABRIC_STORE\" .dump")
        #expect(before.status == 0 && before.stdout.contains("INSERT INTO providers"), "\(before.stderr)")
        for command in ["fabric provider register \"$ID\" admin secret null:// demo --provider_type null",
                        "fabric --json machine create \"$ID\"", "fabric machine scale \"$ID\" db --to 1",
                        "fabric-boot -p \"$ID\" < /dev/null", "fabric-store get provider \"$ID\""] {
            let result = h.sh(command, env: ["ID": id])
            #expect(result.status == 64 && result.stderr.contains("is not valid: a provider id is"), "\(command): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: h.directory.appendingPathComponent("pwned").path),
                "the provider id was run as code")
        #expect(h.sh("sqlite3 \"$FABRIC_STORE\" .dump").stdout == before.stdout, "the store changed")
    }

    /// `| head -1` closes the pipe after one line: every tool that writes many records must end
    /// quietly (no error text, no "Broken pipe"), as any Unix filter does.
    @Test func readerThatClosesEarlyEndsToolsQuietly() {
        let h = Harness()
        h.registerNull()
        // 20,000 stored machines and 300 in the emulated cloud: far more than a pipe holds.
        let machines = h.sh("""
            for i in $(seq 20000); do printf '{"kind":"machine","provider_id":"demo","uuid":"m-%05d","status":"ACTIVE","addresses":["192.0.2.1"]}\\n' "$i"; done > many.jsonl
            fabric-store add < many.jsonl > /dev/null
            sqlite3 "$FABRIC_STORE" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
              INSERT INTO null_servers (id, provider_id, name, group_id, image_id, flavor_id, av_zone, network, private_address, metadata, created)
              SELECT 'srv-' || i, 'demo', 'x-' || i, 'g', 'img', 'flv', 'nova', 'private', '198.51.100.' || (i % 250), '{\\"fabric_group\\":\\"g\\"}', 0 FROM n"
            """)
        #expect(machines.status == 0, "\(machines.stderr)")
        let commands = [
            "fabric machine list demo",
            "fabric --json machine list demo",
            "fabric --table machine list demo",
            "fabric machine list demo --skip_store",
            "fabric-store list machines",
            "fabric-store list machines -p demo",
            "fabric-list-machines -p demo",
            "fabric-store add < many.jsonl",
            "fabric-table < many.jsonl",
            "fabric-find-flavor -p demo < many.jsonl",
            "fabric-public-address < many.jsonl",
            "fabric-find-image -p demo --all",
            "fabric help",
        ]
        var quiet = 0
        for command in commands {
            let result = h.sh("\(command) | head -1")
            let ok = result.stderr.isEmpty && result.lines.count == 1
            #expect(result.stderr.isEmpty, "\(command) | head -1 said: \(result.stderr)")
            #expect(result.lines.count == 1, "\(command) | head -1 printed \(result.lines.count) lines")
            if ok { quiet += 1 }
        }
        #expect(h.sql("SELECT count(*) FROM machines") == ["20000"], "listing into head changed nothing")
        print("signals: \(commands.count) commands into head -1, \(quiet) ended quietly")
    }
}
