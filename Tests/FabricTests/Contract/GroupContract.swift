import Foundation
import Testing

/// Server groups kept at N (issue: "easily expand and shrink the number of servers in a
/// group"), on every cloud of the contract: `machine create --group`, `machine scale` growing
/// and shrinking oldest first, a scale at N that changes nothing, a machine deleted behind
/// fabric's back not counted and replaced, protection, `machine list --refresh` showing GONE,
/// and two scales of one group at once.
@Suite struct GroupContract {
    func uuids(_ result: Harness.Result) -> [String] { result.records.compactMap { $0["uuid"] as? String } }

    /// The live members of the group, as the cloud's own listing says (a failed listing fails
    /// the test: it is not an empty group).
    func members(_ h: Harness, _ p: String, _ group: String, sourceLocation: SourceLocation = #_sourceLocation) -> Set<String> {
        Set(((try? h.listedRecords("fabric-list-machines -p \(p) --group \(group)", sourceLocation: sourceLocation)) ?? [])
            .filter { !["DELETED", "ERROR", "SOFT_DELETED"].contains($0["status"] as? String ?? "") }
            .compactMap { $0["uuid"] as? String })
    }

    @Test(arguments: CloudKind.runs)
    func aGroupGrowsShrinksAndHoldsItsProtectedMachines(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)

        // 0 -> 3: a create of a named group keeps its options.
        let first = h.sh("fabric --json machine create \(p) --group db --number_machines 3 --wait_spawning --meta role=replica")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.records.allSatisfy { $0["group"] as? String == "db" && ($0["name"] as? String ?? "").hasPrefix("db-") }, "\(first.stdout)")
        let oldest = uuids(first)
        let kept = h.sh("fabric-store group -p \(p) db").records.first?["options"] as? [String] ?? []
        #expect(kept.contains("--wait_spawning") && kept.contains("--meta=role=replica"), "\(kept)")

        // 3 -> 5: the difference, made with the kept options, in the same group.
        let grown = h.sh("fabric --json machine scale \(p) db --to 5")
        #expect(grown.status == 0, "\(grown.stderr)")
        #expect(grown.records.count == 2 && grown.records.allSatisfy { $0["status"] as? String == "ACTIVE" }, "\(grown.stdout)")
        #expect(grown.records.allSatisfy { ($0["meta"] as? [String: String])?["role"] == "replica" }, "\(grown.stdout)")
        #expect(members(h, p, "db").count == 5)
        #expect(h.sh("fabric --json machine list \(p) --group db").records.count == 5)

        // At N: nothing to do, and nothing that changes anything is sent.
        try cloud.clearRequests()
        let idle = h.sh("fabric --json machine scale \(p) db --to 5")
        #expect(idle.status == 0 && idle.stdout.isEmpty, "\(idle.stdout)\(idle.stderr)")
        #expect(idle.stderr.contains("group db has 5 machines, nothing to do"), "\(idle.stderr)")
        if let sent = try cloud.requests() { #expect(!sent.contains(where: cloud.changes), "a scale at N sent \(sent)") }

        // 5 -> 2: the oldest go, and the store follows.
        let shrunk = h.sh("fabric --json machine scale \(p) db --to 2")
        #expect(shrunk.status == 0, "\(shrunk.stderr)")
        #expect(Set(uuids(shrunk)) == Set(oldest), "the oldest three go: \(uuids(shrunk)) vs \(oldest)")
        let left = members(h, p, "db")
        #expect(left == Set(uuids(grown)))
        #expect(Set(h.sh("fabric-store list machines -p \(p) --group db").records.compactMap { $0["uuid"] as? String }) == left)

        // A machine deleted behind fabric's back: GONE in a refreshed listing, not counted, replaced.
        let lost = try #require(left.sorted().first)
        #expect(h.sh("fabric-store get machine -p \(p) \(lost) | fabric-destroy").status == 0)
        let refreshed = h.sh("fabric --json machine list \(p) --group db --refresh")
        #expect(refreshed.records.first { $0["uuid"] as? String == lost }?["status"] as? String == "GONE", "\(refreshed.stdout)")
        #expect(h.sh("fabric-store get machine -p \(p) \(lost)").records.first?["status"] as? String == "GONE", "recorded")
        let replaced = h.sh("fabric --json machine scale \(p) db --to 2")
        #expect(replaced.status == 0 && replaced.records.count == 1, "\(replaced.stdout)\(replaced.stderr)")
        #expect(replaced.stderr.contains("gone from the cloud, not counted: \(lost)"), "\(replaced.stderr)")
        #expect(members(h, p, "db").count == 2)
        #expect(h.sh("fabric machine destroy \(p) \(lost) --force").status == 0)

        // A protected machine survives a shrink to 0: the scale says why it stops at 1 and removes nothing.
        let guarded = try #require(members(h, p, "db").sorted().first)
        let protected = h.sh("fabric --json machine protect \(p) \(guarded)")
        #expect(protected.records.first?["protected"] as? Bool == true, "\(protected.stdout)\(protected.stderr)")
        try cloud.clearRequests()
        let refused = h.expectFailure("fabric machine scale \(p) db --to 0", 1, "cannot come down to 0")
        #expect(refused.stderr.contains("so it stops at 1; nothing was removed") && refused.stderr.contains(guarded), "\(refused.stderr)")
        if let sent = try cloud.requests() { #expect(!sent.contains(where: cloud.changes), "a refused scale sent \(sent)") }
        #expect(members(h, p, "db").count == 2)
        let toOne = h.sh("fabric --json machine scale \(p) db --to 1")
        #expect(toOne.status == 0 && !uuids(toOne).contains(guarded), "\(toOne.stdout)\(toOne.stderr)")
        #expect(members(h, p, "db") == [guarded])

        #expect(h.sh("fabric machine unprotect \(p) \(guarded)").status == 0)
        let empty = h.sh("fabric --json machine scale \(p) db --to 0")
        #expect(empty.status == 0, "\(empty.stderr)")
        try cloud.expectNothingLeft()
    }

    /// A failed create in a named group removes what it made, never the group's other machines.
    @Test(arguments: CloudKind.runs.filter { $0.kind.can.contains(.limitMachines) })
    func aFailedScaleRemovesOnlyWhatItMade(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        let refusal = try #require(try cloud.limitMachines(to: 3))
        #expect(cloud.register().status == 0)
        let first = h.sh("fabric --json machine create \(p) --group db --number_machines 2 --wait_spawning")
        #expect(first.status == 0, "\(first.stderr)")
        h.expectFailure("fabric machine scale \(p) db --to 5", 1, refusal)
        #expect(members(h, p, "db") == Set(uuids(first)), "the group's machines are kept")
        #expect(h.count("machines") == 2)
    }

    /// Hooks are commands and events are JSON lines, on every cloud: on_ready runs once per
    /// member made (its record on stdin, FABRIC_* in its environment) before the member
    /// counts, before_destroy once per member a scale or a destroy removes, both kept with the
    /// group's options; the events of the scales rebuild the group the cloud holds.
    @Test(arguments: CloudKind.onSQLite)
    func hooksRunAndEventsRebuildTheGroup(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)
        let hooks = h.directory.appendingPathComponent("hooks").path
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        let onReady = "cat > \(hooks)/ready-$FABRIC_MACHINE_UUID; env | grep ^FABRIC_ | sort > \(hooks)/ready-env-$FABRIC_MACHINE_UUID"
        let beforeDestroy = "cat > \(hooks)/gone-$FABRIC_MACHINE_UUID; echo $FABRIC_GROUP > \(hooks)/gone-group-$FABRIC_MACHINE_UUID"
        let events = h.directory.appendingPathComponent("events.jsonl").path
        let created = h.sh("fabric --json machine create \(p) --group db --number_machines 2 --wait_spawning --on_ready '\(onReady)' --before_destroy '\(beforeDestroy)' --events \(events)")
        #expect(created.status == 0, "\(created.stderr)")
        let grown = h.sh("fabric --json machine scale \(p) db --to 3 --events \(events)")
        #expect(grown.status == 0, "\(grown.stderr)")
        let made = uuids(created) + uuids(grown)
        #expect(made.count == 3)
        // The summary reads the store in the porcelain's own process after the tools wrote it.
        let afterGrowth = ((try? String(contentsOfFile: events, encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.last { $0["event"] as? String == "summary" }
        #expect(Set(afterGrowth?["members"] as? [String] ?? []) == Set(made), "\(afterGrowth ?? [:])")
        for uuid in made {
            let record = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(hooks)/ready-\(uuid)"))) as? [String: Any]
            #expect(record?["uuid"] as? String == uuid, "on_ready got the machine's record on stdin")
            let env = (try? String(contentsOfFile: "\(hooks)/ready-env-\(uuid)", encoding: .utf8)) ?? ""
            #expect(env.contains("FABRIC_GROUP=db") && env.contains("FABRIC_HOOK=on_ready") && env.contains("FABRIC_MACHINE_UUID=\(uuid)")
                    && env.contains("FABRIC_ROLE=unknown") && env.contains("FABRIC_MACHINE_ADDRESS="), "\(env)")
            #expect(!env.contains(NullCloud.password) && !env.contains("FABRIC_MYSQL_PASSWORD"), "no secret reaches a hook that was given none")
        }
        let shrunk = h.sh("fabric --json machine scale \(p) db --to 1 --events \(events)")
        #expect(shrunk.status == 0, "\(shrunk.stderr)")
        let removed = uuids(shrunk)
        #expect(removed.count == 2)
        for uuid in removed {
            #expect(FileManager.default.fileExists(atPath: "\(hooks)/gone-\(uuid)"), "before_destroy ran for \(uuid)")
            #expect((try? String(contentsOfFile: "\(hooks)/gone-group-\(uuid)", encoding: .utf8)) == "db\n")
        }
        let left = members(h, p, "db")
        #expect(left.count == 1 && !FileManager.default.fileExists(atPath: "\(hooks)/gone-\(left.first ?? "")"))

        // The events alone rebuild the group: created minus destroyed is what the cloud holds,
        // and what each command's summary says.
        let lines = ((try? String(contentsOfFile: events, encoding: .utf8)) ?? "").split(separator: "\n")
        let parsed = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(parsed.count == lines.count, "every line is a JSON object")
        #expect(parsed.first?["event"] as? String == "schema" && parsed.first?["version"] as? Int == 1, "\(parsed.first ?? [:])")
        #expect(parsed.filter { $0["event"] as? String == "schema" }.count == 3, "one schema line per command")
        var members = Set<String>()
        for event in parsed {
            let uuid = event["uuid"] as? String ?? ""
            switch event["event"] as? String {
            case "created": members.insert(uuid)
            case "destroyed": members.remove(uuid)
            default: break
            }
        }
        #expect(members == left, "\(members) vs \(left)")
        let summary = parsed.last { $0["event"] as? String == "summary" }
        #expect(Set(summary?["members"] as? [String] ?? []) == left && summary?["status"] as? Int == 0, "\(summary ?? [:])")
        #expect(parsed.filter { $0["event"] as? String == "ready" }.count == 3)
        #expect(parsed.filter { $0["event"] as? String == "hook_ended" && $0["status"] as? Int == 0 }.count == 5)
        let times = parsed.compactMap { $0["time"] as? Double }
        #expect(times == times.sorted(), "events are written in the order they happen")

        // A hook that fails fails the create: all or nothing.
        let failed = h.expectFailure("fabric machine scale \(p) db --to 3 --on_ready 'exit 3'", 1, "exited with status 3")
        #expect(failed.stderr.contains("removed the 2 machines the failed create left"), "\(failed.stderr)")
        #expect(self.members(h, p, "db") == left)
        #expect(h.sh("fabric --json machine scale \(p) db --to 0").status == 0)
        try cloud.expectNothingLeft()
    }

    /// machine refresh on every cloud, without a MySQL login: members go by age, each replaced
    /// by one made with the group's new options and ready before the one it replaces goes (the
    /// group never has fewer ready members, from the events); run again, it has nothing to do.
    @Test(arguments: CloudKind.onSQLite)
    func aRefreshReplacesEveryMemberNewBeforeOld(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)
        let created = h.sh("fabric --json machine create \(p) --group db --number_machines 3 --wait_spawning")
        #expect(created.status == 0, "\(created.stderr)")
        let byAge = created.records.sorted { ($0["name"] as? String ?? "") < ($1["name"] as? String ?? "") }.compactMap { $0["uuid"] as? String }
        let flavor = run.kind.name == "amazon" ? "t3.small" : "m1.large"
        let events = h.directory.appendingPathComponent("refresh.jsonl").path
        let refreshed = h.sh("fabric --json machine refresh \(p) db --flavor name=\(flavor) --events \(events)")
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        let now = members(h, p, "db")
        #expect(now.count == 3 && now.isDisjoint(with: Set(byAge)), "every member is new: \(now)")
        let kept = h.sh("fabric-store group -p \(p) db").records.first?["options"] as? [String] ?? []
        #expect(kept.contains("--flavor=name=\(flavor)"), "the group keeps its new options: \(kept)")
        let lines = ((try? String(contentsOfFile: events, encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        var ready = Set(byAge), fewest = 3
        for event in lines {
            let uuid = event["uuid"] as? String ?? ""
            switch event["event"] as? String {
            case "ready": ready.insert(uuid)
            case "destroying": ready.remove(uuid); fewest = min(fewest, ready.count)
            default: break
            }
        }
        #expect(fewest >= 3, "never fewer than 3 ready members: \(fewest)")
        let destroyed = lines.filter { $0["event"] as? String == "destroyed" }.compactMap { $0["uuid"] as? String }
        #expect(destroyed == byAge, "oldest first, each once: \(destroyed) vs \(byAge)")
        let again = h.sh("fabric --json machine refresh \(p) db")
        #expect(again.status == 0 && again.stdout.isEmpty && again.stderr.contains("every member is made with the group's options"), "\(again.stderr)")
        #expect(h.sh("fabric --json machine scale \(p) db --to 0").status == 0)
        try cloud.expectNothingLeft()
    }

    @Test(arguments: CloudKind.runs)
    func badScalesAreUsageErrorsBeforeAnyRequest(_ run: CloudKind.Run) throws {
        let cloud = try run.start(), h = cloud.harness, p = cloud.provider
        #expect(cloud.register().status == 0)
        #expect(h.sh("fabric machine create \(p) --group db").status == 0)
        #expect(h.sh("fabric machine create \(p)").status == 0)
        let unnamed = try #require(h.sh("fabric-store list machines -p \(p)").records.compactMap { $0["group"] as? String }.first { $0 != "db" })
        try cloud.clearRequests()
        let cases: [(String, Int32, String)] = [
            ("db --to -1", 64, "--to must be a number of machines from 0 to 10000"),
            ("db --to many", 64, "The value 'many' is invalid for '--to <n>'"),
            ("db", 64, "Missing expected argument '--to <n>'"),
            ("nosuch --to 1", 1, "group \"nosuch\" is not known"),
            ("\(unnamed) --to 2", 64, "keeps no create options"),
            ("db --to 2 --number_machines 3", 64, "Unknown option '--number_machines'"),
            ("db --to 2 --colour red", 64, "Unknown option '--colour'"),
            ("db --to 2 --image mindisk=abc", 64, "min_disk must be a non-negative number"),
            ("db --to 2 --on_ready no-such-recipe", 64, "--on_ready \"no-such-recipe\": no recipe and no command of that name"),
            ("db --to 2 --before_destroy no-such-recipe", 64, "--before_destroy \"no-such-recipe\": no recipe"),
            ("db --to 2 --on_ready true --hook_timeout 0", 64, "--hook_timeout"),
            ("db --to 2 --ready replica", 64, "stage replica of --ready replica logs in to each server: give --mysql_user"),
            ("db --to 2 --ready replica,synced", 64, "replica and synced exclude each other"),
            ("db --to 2 --ready replica:soon", 64, "the lag of \"replica:soon\" must be a number of seconds"),
            ("db --to 2 --events /nonexistent/dir/events", 64, "--events \"/nonexistent/dir/events\""),
        ]
        for (arguments, status, message) in cases {
            let result = h.expectFailure("fabric machine scale \(p) \(arguments)", status, message)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        h.expectFailure("fabric machine create \(p) --group 'no spaces'", 64, "a group name is 1-64 letters")
        h.expectFailure("fabric machine protect \(p) 00000000-0000-4000-8000-000000000000", 1, "is not in the store")
        if let sent = try cloud.requests() { #expect(sent.isEmpty, "bad scales sent \(sent)") }
    }
}

/// What only the null provider injects cheaply: members in ERROR, and two scales at once on
/// each store backend (SQLite and the run's MariaDB).
@Suite struct GroupScaleTests {
    @Test func membersInErrorAreReportedAndReplacedOnlyWhenAsked() {
        let h = Harness()
        h.registerNull(extra: ["fail_machine=2"])
        // Without waiting, the create ends before its second machine goes to ERROR.
        #expect(h.sh("fabric machine create demo --group db --number_machines 2").status == 0)
        var failed = ""
        for _ in 0..<50 where failed.isEmpty {
            failed = h.sh("fabric-scale -p demo --group db --to 2 | jq -r '.failed | join(\",\")'").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if failed.isEmpty { usleep(100_000) }
        }
        #expect(!failed.isEmpty, "no member went to ERROR")
        let kept = h.sh("fabric --json machine scale demo db --to 2")
        #expect(kept.status == 0 && kept.stdout.isEmpty, "\(kept.stdout)")
        #expect(kept.stderr.contains("in ERROR, kept: \(failed)"), "\(kept.stderr)")
        let replaced = h.sh("fabric --json machine scale demo db --to 2 --replace_failed")
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let statuses = replaced.records.map { "\($0["uuid"] as? String ?? "") \($0["status"] as? String ?? "")" }
        #expect(statuses.contains("\(failed) DELETED") && replaced.records.count == 2, "\(statuses)")
        // The replacement was created without waiting: it is ACTIVE once a wait says so, not
        // after some time (on a busy machine the listing can come before its build ends).
        let members = h.listing("fabric --json machine list demo --group db | jq -r .uuid") ?? []
        #expect(members.count == 2 && !members.contains(failed), "\(members)")
        let waited = h.sh("fabric --json machine wait demo \(members.joined(separator: " ")) --until active --timeout 120")
        #expect(waited.status == 0 && waited.records.count == 2, "\(waited.stderr)")
        let listed = h.sh("fabric --json machine list demo --group db --refresh").records
        #expect(listed.count == 2 && listed.allSatisfy { $0["status"] as? String == "ACTIVE" }, "\(listed)")
    }

    /// Oldest first holds when creates fall in the same second of the cloud's clock: the store's
    /// order of the creates breaks the tie, not the batch's random name.
    @Test func aScaleRemovesTheOldestAlsoWithinOneSecond() {
        let h = Harness()
        h.registerNull(extra: ["build_seconds=0"])
        let listing = "jq -r '\"\\(.uuid) \\(.created)\"' | sort"
        let first = h.sh("fabric --json machine create demo --group db --number_machines 2 | \(listing)")
        #expect(first.status == 0 && first.lines.count == 2, "\(first.stderr)")
        for size in [5, 4, 3] {
            let scaled = h.sh("fabric --json machine scale demo db --to \(size)")
            #expect(scaled.status == 0, "\(scaled.stderr)")
        }
        let left = h.sh("fabric --json machine list demo --group db | \(listing)")
        #expect(left.status == 0 && left.lines.count == 3, "\(left.stdout) \(left.stderr)")
        let uuid = { (line: String) in String(line.prefix { $0 != " " }) }
        #expect(Set(left.lines.map(uuid)).isDisjoint(with: first.lines.map(uuid)),
                "the first create's two were the oldest: \(first.lines), left: \(left.lines)")
        let seconds = Set((first.lines + left.lines).map { $0.split(separator: " ").last.map(String.init) ?? "" })
        print("scale within one second: \(seconds.count == 1 ? "both creates in one second" : "creates in \(seconds.count) seconds")")
    }

    /// The third machine of the scale's create goes to ERROR: the create fails and removes its
    /// own three, not the group's two.
    @Test func aFailedScaleRemovesItsOwnMachinesOnly() {
        let h = Harness()
        h.registerNull(extra: ["fail_machine=3"])
        let first = h.sh("fabric --json machine create demo --group db --number_machines 2 --wait_spawning")
        #expect(first.status == 0, "\(first.stderr)")
        let failed = h.expectFailure("fabric machine scale demo db --to 5", 1, "went to ERROR")
        #expect(failed.stderr.contains("fabric: removed the 3 machines the failed create left"), "\(failed.stderr)")
        let left = h.sh("fabric-list-machines -p demo --group db").records.compactMap { $0["uuid"] as? String }
        #expect(Set(left) == Set(first.records.compactMap { $0["uuid"] as? String }), "\(left)")
        #expect(h.count("machines") == 2)
    }

    /// Nova keeps a server being deleted in its listing, its status unchanged, for seconds:
    /// a scale does not count it (ansible #55955 counted those).
    @Test func aServerBeingDeletedIsNotCounted() throws {
        let cloud = try OpenStackCloud(Harness()), h = cloud.harness
        try cloud.cloud.config(["delete_seconds": 20])
        #expect(cloud.register().status == 0)
        let made = h.sh("fabric --json machine create os --group db --number_machines 2 --wait_spawning")
        #expect(made.status == 0, "\(made.stderr)")
        let leaving = try #require(made.records.first?["uuid"] as? String)
        let plan = h.sh("""
            fabric-store get machine -p os \(leaving) | fabric-destroy > /dev/null 2>&1 & destroy=$!
            for _ in $(seq 100); do
              fabric-list-machines -p os --group db | grep -q '"uuid":"\(leaving)"' || break
              fabric-scale -p os --group db --to 2 | grep -q '"live":1' && break
              sleep 0.1
            done
            fabric-scale -p os --group db --to 2; kill $destroy
            """)
        #expect(plan.records.first?["live"] as? Int == 1 && plan.records.first?["create"] as? Int == 1, "\(plan.stdout) \(plan.stderr)")
        let destroy = plan.records.first?["destroy"] as? [String]
        #expect(destroy == [], "\(plan.stdout)")
    }

    /// `--synchronous=false`: the scale checks its options, then runs as a job that `job wait`
    /// follows to its end, overrides included.
    @Test func aScaleRunsAsABackgroundJob() {
        let h = Harness()
        h.registerNull()
        #expect(h.sh("fabric machine create demo --group db").status == 0)
        h.expectFailure("fabric machine scale demo db --to x --synchronous=false", 64, "The value 'x' is invalid for '--to <n>'")
        let job = h.sh("fabric --json machine scale demo db --to 3 --flavor name=m1.small --synchronous=false")
        #expect(job.records.first?["kind"] as? String == "job", "\(job.stdout) \(job.stderr)")
        let id = job.records.first?["job"] as? Int ?? -1
        let waited = h.sh("fabric --json job wait \(id)")
        #expect(waited.status == 0 && waited.records.count == 2, "\(waited.stdout) \(waited.stderr)")
        #expect(waited.records.allSatisfy { ($0["flavor"] as? [String: Any])?["name"] as? String == "m1.small" }, "\(waited.stdout)")
        #expect(h.sh("fabric --json job list").records.count == 1, "the bad scale made no job")
    }

    @Test(arguments: Backend.allCases)
    func twoScalesOfOneGroupAtOnceEndWithExactlyN(_ backend: Backend) throws {
        let h = Harness(backend)
        h.registerNull(extra: ["build_seconds=1"])
        let group = "overlap-\(backend.rawValue)"
        #expect(h.sh("fabric machine create demo --group \(group) --wait_spawning").status == 0)
        Self.twoScalesAtOnce(h, group: group)
        #expect(h.cloudMachines() == 4 && h.count("machines") == 4)
        // A lock another holds, not waited for: a TimeoutError naming the holder.
        let held = h.sh("""
            \(Self.holdLock("scale/demo/\(group)"))
            fabric-store lock scale/demo/\(group) -- true; status=$?
            touch release; wait; exit $status
            """)
        #expect(held.status == 5 && held.stderr.contains("lock \"scale/demo/\(group)\" is held by"), "\(held.stderr)")
    }

    /// bash that takes the store lock `name` in the background and returns once it holds it
    /// (up to 30 s); it lets go when the file `release` appears (or after 60 s).
    static func holdLock(_ name: String, store: String? = nil) -> String {
        """
        rm -f held release
        \(store.map { "FABRIC_STORE='\($0)' " } ?? "")fabric-store lock '\(name)' -- bash -c 'touch held; for _ in $(seq 1200); do [[ -e release ]] && exit 0; sleep 0.05; done; exit 1' & holder=$!
        for _ in $(seq 600); do [[ -e held ]] && break; sleep 0.05; done
        [[ -e held ]] && echo "lock held" || echo "the lock was never taken"
        """
    }

    /// Two `machine scale GROUP --to 4` of a group of one, through `stores` (default: the
    /// test's), made to overlap without a clock: the test holds the group's lock while both
    /// start, sees both waiting for it at once (two `fabric-store lock` processes of the
    /// group), then lets go. Exactly one makes the three machines; the other then finds the
    /// group at 4 and does nothing.
    static func twoScalesAtOnce(_ h: Harness, group: String, stores: (String, String)? = nil,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let prefix = stores.map { ("FABRIC_STORE='\($0.0)' ", "FABRIC_STORE='\($0.1)' ") } ?? ("", "")
        // Each scale says once that it waits for the lock, and who holds it.
        let waiting = "waiting for the lock \\\"scale/demo/\(group)\\\""
        let both = h.sh("""
            \(holdLock("scale/demo/\(group)", store: stores?.0))
            \(prefix.0)fabric --json machine scale demo \(group) --to 4 > a.out 2> a.err & a=$!
            \(prefix.1)fabric --json machine scale demo \(group) --to 4 > b.out 2> b.err & b=$!
            for _ in $(seq 600); do (( $(cat a.err b.err | grep -c -- '\(waiting)') == 2 )) && break; sleep 0.05; done
            echo "waiting for the lock: $(cat a.err b.err | grep -c -- '\(waiting)')"
            touch release; wait "$holder"; echo "holder $?"
            wait "$a"; first=$?; wait "$b"; second=$?
            cat a.err b.err >&2; cat a.out b.out; exit $((first + second))
            """)
        #expect(both.status == 0, "\(both.stdout) \(both.stderr)", sourceLocation: sourceLocation)
        #expect(both.stdout.contains("lock held\n") && both.stdout.contains("holder 0\n"), "\(both.stdout)", sourceLocation: sourceLocation)
        #expect(both.stdout.contains("waiting for the lock: 2\n"), "the two scales were not waiting at once: \(both.stdout)",
                sourceLocation: sourceLocation)
        #expect(both.records.count == 3, "one scale made the three, the other nothing: \(both.stdout)", sourceLocation: sourceLocation)
        #expect(both.stderr.contains("group \(group) has 4 machines, nothing to do"), "\(both.stderr)", sourceLocation: sourceLocation)
    }
}
