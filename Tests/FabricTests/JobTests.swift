import Foundation
import Testing

/// `--synchronous=false` and `fabric job`: a command that changes something runs as a background
/// job kept in the store, detached from the terminal, followed to its end by `job wait`, stopped
/// with its own clean-up by `job cancel`, and never with a secret in its recorded command line.
@Suite struct JobTests {
    static func jobID(_ result: Harness.Result) -> Int? {
        result.records.count == 1 && result.records[0]["kind"] as? String == "job" ? result.records[0]["job"] as? Int : nil
    }

    static func show(_ h: Harness, _ job: Int) -> [String: Any] {
        h.sh("fabric --json job show \(job)").records.first ?? [:]
    }

    /// Returns at once; survives SIGHUP to the process group of the shell that started it (its
    /// session closing); `job wait` follows it to its end and prints what the create printed.
    /// "At once" is an order, not a time: the machines build for 600 s, so they cannot be ACTIVE
    /// when the wrapper returns; the test then ends their build (ages them in the emulated
    /// cloud) and the job, still running, takes them to ACTIVE.
    @Test func backgroundCreateSurvivesHangupAndIsFollowedToItsEnd() throws {
        let h = Harness()
        h.registerNull(extra: ["build_seconds=600"])
        // The parent shell lives on after the command returns, in a process group of its own, as
        // a login shell would; the test runner hands SIGHUP and SIGINT down ignored, so they are
        // reset for it. The wait for the wrapper is bounded (120 s, for a busy machine): a
        // wrapper that waited for its job would wait out the 600 s build.
        let script = """
            set -m
            env --default-signal=INT,TERM,HUP bash -c '
              fabric --json machine create demo --number_machines 2 --wait_spawning --synchronous=false > job.json 2> job.err
              echo "$?" > returned
              sleep 30' &
            parent=$!
            set +m
            for _ in $(seq 6000); do [[ -s returned ]] && break; sleep 0.02; done
            pid=$(jq -r .pid job.json)
            echo "session $(ps -o sid= -p "$pid" | tr -d ' ') pid $pid parent_session $(ps -o sid= -p "$parent" | tr -d ' ')"
            kill -HUP -- "-$parent"
            wait "$parent"; echo "parent $?"
            echo "returned $(cat returned)"
            """
        let result = h.sh(script)
        let lines = result.lines
        #expect(lines.count == 3, "\(result.stdout) \(result.stderr)")
        let session = lines.first?.split(separator: " ").map(String.init) ?? []
        // The job leads a session of its own, not the one that the hangup reached.
        #expect(session.count == 6 && session[1] == session[3] && session[1] != session[5], "\(lines)")
        #expect(lines.dropFirst().first == "parent 129", "the parent shell was not hung up: \(lines)")
        #expect(lines.last == "returned 0", "the wrapper failed or never returned: \(lines)")
        let job = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: h.directory.appendingPathComponent("job.json"))) as? [String: Any])
        let id = try #require(job["job"] as? Int)
        #expect(job["state"] as? String == "running")
        #expect(job["command"] as? String == "machine create demo --number_machines 2 --wait_spawning", "\(job)")
        // The wrapper has returned and the job goes on: nothing is ACTIVE, nothing stored yet.
        #expect(Self.show(h, id)["state"] as? String == "running")
        #expect(h.count("machines") == 0)
        let building = h.sh("""
            for _ in $(seq 3000); do [[ $(\(h.sqlCommand("SELECT count(*) FROM null_servers"))) == 2 ]] && break; sleep 0.02; done
            fabric-list-machines -p demo | jq -r .status
            """)
        #expect(building.lines == ["BUILD", "BUILD"], "\(building.stdout) \(building.stderr)")
        // The build ends now: the job's wait sees its machines ACTIVE.
        #expect(h.sh(h.sqlCommand("UPDATE null_servers SET created = created - 600")).status == 0)

        let wait = h.sh("fabric --json job wait \(id)")
        #expect(wait.status == 0, "\(wait.stderr)")
        #expect(wait.records.count == 2 && wait.records.allSatisfy { $0["status"] as? String == "ACTIVE" }, "\(wait.stdout)")
        let shown = Self.show(h, id)
        #expect(shown["state"] as? String == "succeeded" && shown["exit_status"] as? Int == 0, "\(shown)")
        #expect((shown["output"] as? [[String: Any]])?.count == 2, "\(shown)")
        #expect(shown["stderr"] as? String != nil && shown["ended"] as? String != nil)
        #expect(h.count("machines") == 2 && h.cloudMachines() == 2)
        #expect(h.sh("fabric --json job list").records.map { $0["state"] as? String } == ["succeeded"])
    }

    /// Cancelled while its machines build: the create's own clean-up removes them, as at Ctrl-C.
    @Test func cancelledCreateLeavesNothing() throws {
        let h = Harness()
        h.registerNull(extra: ["build_seconds=60"])
        let start = h.sh("fabric --json machine create demo --number_machines 2 --wait_spawning --synchronous=false")
        let id = try #require(Self.jobID(start), "\(start.stdout) \(start.stderr)")
        let booted = h.sh("for _ in $(seq 500); do [[ $(\(h.sqlCommand("SELECT count(*) FROM null_servers"))) == 2 ]] && exit 0; sleep 0.02; done; exit 1")
        #expect(booted.status == 0, "the machines were never booted")
        let cancel = h.sh("fabric --json job cancel \(id)")
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.records.first?["state"] as? String == "cancelled", "\(cancel.stdout)")
        #expect(h.sql("SELECT count(*) FROM null_servers") == ["0"])
        #expect(h.sql("SELECT count(*) FROM machines") == ["0"])
        let shown = Self.show(h, id)
        #expect(shown["exit_status"] as? Int == 143, "\(shown)")
        #expect((shown["stderr"] as? String ?? "").contains("interrupted by SIGTERM: removed the 2 machines this create made"), "\(shown)")
        // A job that has ended is left as it is.
        let again = h.sh("fabric --json job cancel \(id)")
        #expect(again.status == 0 && again.stderr.contains("already ended (cancelled)"), "\(again.stderr)")
        #expect(h.sh("fabric job wait \(id)").status == 143)
    }

    /// A create the cloud refuses: the job fails with the create's status and message; a job
    /// whose processes were killed without recording their end shows lost, not running.
    @Test func failedAndLostJobsSayHowTheyEnded() throws {
        let h = Harness()
        h.registerNull(extra: ["fail_create=true"])
        let id = try #require(Self.jobID(h.sh("fabric --json machine create demo --synchronous=no")))
        let wait = h.sh("fabric job wait \(id)")
        #expect(wait.status == 1 && wait.stderr.contains("injected failure"), "\(wait.status) \(wait.stderr)")
        let shown = Self.show(h, id)
        #expect(shown["state"] as? String == "failed" && shown["exit_status"] as? Int == 1, "\(shown)")
        #expect((shown["stderr"] as? String ?? "").contains("MachineError"), "\(shown)")
        #expect(h.cloudMachines() == 0)

        let lost = h.sh("""
            job=$(fabric-job start -- sleep 30 | jq -r .job)
            kill -KILL -- "-$(fabric-job show "$job" | jq -r .pid)"
            # SIGKILL is delivered, not waited for: the processes may take a moment to go.
            for _ in $(seq 100); do
              [[ -n $(fabric --json job list --state lost) ]] && break
              sleep 0.02
            done
            fabric --json job list --state lost | jq -r .job
            """)
        #expect(lost.stdout == "2\n", "\(lost.stdout) \(lost.stderr)")
        #expect(h.sh("fabric job wait 2").status == 1)
    }

    /// Every check runs before a job is made: a typo, a bad --synchronous value, an unknown
    /// provider or a provider id taken are refused at once, and no job is recorded.
    @Test func badInputMakesNoJob() {
        let h = Harness()
        h.registerNull()
        h.expectFailure("fabric machine create demo --numbr_machines 2 --synchronous=false", 64, "Unknown option '--numbr_machines'")
        h.expectFailure("fabric machine create demo --synchronous=later", 64, "--synchronous takes true or false")
        h.expectFailure("fabric machine create demo --synchronous false", 64, "--synchronous takes its value after =: --synchronous=false")
        h.expectFailure("fabric machine create nosuch --synchronous=false", 2, "provider \"nosuch\" does not exist")
        h.expectFailure("fabric machine destroy demo 1234 --synchronous=false", 1, "is not in the store")
        h.expectFailure("fabric provider register demo a pw null:// t --provider_type null --synchronous=false", 2, "already exists")
        h.expectFailure("fabric provider register other a pw null:// t --provider_type nosuch --synchronous=false", 2, "unknown provider type")
        h.expectFailure("fabric job show 1", 64, "job 1 does not exist")
        #expect(h.sql("SELECT count(*) FROM jobs") == ["0"])
    }

    /// On a team's MySQL store: a provider register job with its password given every way
    /// works, the jobs table holds no password, a job of another host is listed as that host
    /// recorded it and cancelling it here names that host.
    @Test func jobsOnTheMySQLStoreKeepNoSecret() throws {
        let h = Harness(.mysql)
        let secret = "s3cret-Pw-\(UUID().uuidString.prefix(8))"
        let given = [
            "fabric --json provider register p1 admin '\(secret)' null:// demo --provider_type null --synchronous=false",
            "printf '%s\\n' '\(secret)' | fabric --json provider register p2 admin null:// demo --provider_type null --password-stdin --synchronous=false",
            "fabric --json provider register p3 admin null:// demo --provider_type null --password-file <(printf '%s\\n' '\(secret)') --synchronous=0",
        ]
        for (index, command) in given.enumerated() {
            let start = h.sh(command)
            let id = try #require(Self.jobID(start), "\(command): \(start.stdout) \(start.stderr)")
            #expect(!start.stdout.contains(secret))
            let wait = h.sh("fabric job wait \(id)")
            #expect(wait.status == 0, "\(command): \(wait.stderr)")
            #expect(h.sql("SELECT password FROM providers WHERE provider_id = 'p\(index + 1)'") == [secret])
        }
        #expect(h.sql("SELECT count(*) FROM jobs") == ["3"])
        let rows = h.sql("SELECT job_id, command, output, stderr FROM jobs")
        #expect(!rows.joined().contains(secret), "a password reached the jobs table: \(rows)")

        // A job that another admin host runs.
        _ = h.sql("INSERT INTO jobs (job_id, command, host, pid, state, started, output, stderr) VALUES (4, 'machine create p1', 'admin2.example.com', 1, 'running', '2026-12-04T00:00:00Z', '', '')")
        let listed = h.sh("fabric --json job list --state running")
        #expect(listed.records.first?["host"] as? String == "admin2.example.com", "\(listed.stdout)")
        h.expectFailure("fabric job cancel 4", 64, "job 4 runs on host \"admin2.example.com\"")
    }
}
