import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

struct JobTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-job",
        abstract: "Run a command as a background job kept in the store, and follow it.",
        discussion: """
            `start` runs a command detached from the terminal (a session of its own, standard \
            input from /dev/null), so a closed terminal or ssh session does not stop it, and \
            records it in the store: its command (never a secret: pass those in the \
            environment), host, process, state, exit status, and at its end what it printed. \
            `list`, `show`, `wait` and `cancel` follow it, from any host that shares the store. \
            A job whose process died without recording its end is shown lost.
            """,
        version: fabricVersionLine,
        subcommands: [Start.self, Supervise.self, List.self, Show.self, Wait.self, Cancel.self])
}

/// How a job is followed: the store, and this host's view of the job's process.
struct Jobs {
    let store: Store
    let host = hostName()

    init(_ options: StoreOptions, access: StoreAccess = .existing) throws(FabricError) { store = try Store(options, access: access) }

    /// The job as it stands: a running job of this host whose process is gone is recorded lost.
    func job(_ id: Int) throws(FabricError) -> JobRow { try refreshed(try store.job(id)) }

    func refreshed(_ job: JobRow) throws(FabricError) -> JobRow {
        guard job.state == .running, job.host == host, !Jobs.processAlive(job.pid) else { return job }
        try store.endJob(job.id, state: .lost, exitStatus: nil, output: "", stderr: """
            fabric-job: the job's process (pid \(job.pid) on \(host)) ended without recording its end: \
            it was killed (SIGKILL) or the host restarted; what the command made may be left
            """)
        return try store.job(job.id)
    }

    /// Whether the job's process group lives: its leader is a job supervisor (not a process that
    /// took the pid over after a reboot), or the leader is gone and its command goes on. Zombies
    /// do not count: a container's init may never reap them.
    static func processAlive(_ pid: Int) -> Bool {
        guard pid > 0, let entries = opendir("/proc") else { return false }
        defer { closedir(entries) }
        var leader: Bool?
        var members = false
        while let entry = readdir(entries) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let process = Int(name), let stat = processStat(process), stat.group == pid, stat.state != "Z" else { continue }
            if process == pid {
                let argv = commandLine(of: pid_t(pid))
                leader = argv.count >= 2 && argv[0].hasSuffix("fabric-job") && argv[1] == "supervise" && getsid(pid_t(pid)) == pid_t(pid)
            } else {
                members = true
            }
        }
        return leader ?? members
    }

    /// A process's state letter and process group, from /proc/PID/stat (after the name, which
    /// may hold spaces and parentheses).
    static func processStat(_ pid: Int) -> (state: Character, group: Int)? {
        guard case .success(let bytes) = readFile("/proc/\(pid)/stat"), let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count > 2, let state = fields[0].first, let group = Int(fields[2]) else { return nil }
        return (state, group)
    }

    /// The command's output records, as it printed them.
    static func writeOutput(of job: JobRow) {
        var text = Substring(job.output)
        if text.hasSuffix("\n") { text = text.dropLast() }
        if !text.isEmpty { RecordWriter.standardOutput.write(line: String(text)) }
    }

    static func commandLine(of pid: pid_t) -> [String] {
        guard case .success(let bytes) = readFile("/proc/\(pid)/cmdline") else { return [] }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Polls until the job has ended; a TimeoutError after `timeout` seconds (0: no limit).
    func ended(_ id: Int, timeout: Double) throws(FabricError) -> JobRow {
        let deadline = now() + timeout
        var delays = Backoff(first: 0.05, factor: 1.5, cap: 1)
        while true {
            let current = try job(id)
            if current.state != .running { return current }
            if timeout > 0 && now() >= deadline {
                let seconds = timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout)
                throw FabricError(.timeout, "job \(id) is still running after \(seconds) s", hint: "see: fabric job show \(id)")
            }
            sleep(seconds: delays.next())
            try Interruption.check()
        }
    }
}

/// `--timeout SECONDS` of wait and cancel.
struct JobTimeout: ParsableArguments {
    @Option(help: ArgumentHelp("Give up waiting after this many seconds (TimeoutError); 0, the default, waits as long as the job runs.",
                               valueName: "seconds"))
    var timeout: Double = 0

    func validate() throws {
        guard timeout >= 0, timeout.isFinite else { throw FabricError.usage("--timeout must be 0 or more seconds") }
    }
}

extension JobTool {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a command as a background job and print its record at once.",
            discussion: """
                The command runs under `fabric-job supervise` in a session of its own, with \
                standard input from /dev/null and the signals INT, TERM and HUP at their defaults; \
                its standard output and error are kept, and stored when it ends.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The command as the job list shows it (default: the arguments); never a secret.",
                                   valueName: "text"))
        var command: String?

        @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The program to run and its arguments, after --.",
                                                                       valueName: "program"))
        var program: [String] = []

        func run() throws {
            var argv = program
            if argv.first == "--" { argv.removeFirst() }
            guard !argv.isEmpty else { throw FabricError.usage("no command to run: give it after --") }
            // The supervisor reads a store password file once, here; it reaches it in the environment.
            if let file = storeOptions.storePasswordFile { setenv("FABRIC_STORE_PASSWORD", try readFirstLine(file), 1) }
            var supervisor = ["fabric-job", "supervise"]
            if let store = storeOptions.store { supervisor.append("--store=\(store)") }
            // The supervisor waits for its number on a pipe: the job is recorded with its pid
            // before anything runs, and a start that fails to record it leaves nothing running.
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw FabricError.usage("cannot make a pipe: \(String(cString: strerror(errno)))") }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            let pid: pid_t
            do {
                pid = try Spawn.detached(Spawn.thisExecutable(), supervisor + ["--"] + argv, stdin: ends[0], closing: ends[1])
            } catch {
                close(ends[0]); close(ends[1])
                throw error
            }
            close(ends[0])
            // Opened after the spawn, so the supervisor does not inherit the store's descriptors.
            let jobs: Jobs
            let id: Int
            do {
                jobs = try Jobs(storeOptions, access: .creating)
                id = try jobs.store.addJob(command: command ?? argv.joined(separator: " "), host: jobs.host, pid: Int(pid))
            } catch {
                close(ends[1])
                throw error
            }
            let line = Array("\(id)\n".utf8)
            _ = line.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
            close(ends[1])
            RecordWriter.standardOutput.write(try jobs.store.job(id).json(full: false))
        }
    }

    struct Supervise: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a started job's command and record its end (what start runs; not for direct use).",
            discussion: """
                Reads the job's number from standard input, runs the command in its own process \
                group, waits for it (a SIGTERM reaches both, so the command's own clean-up runs; \
                the supervisor outlives it) and records the exit status, state and output.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The program and its arguments, after --.", valueName: "program"))
        var program: [String] = []

        /// Standard error beyond this is cut to its end, which holds the failure.
        static let stderrLimit = 256 * 1024

        func run() throws {
            var argv = program
            if argv.first == "--" { argv.removeFirst() }
            Spawn.closeInheritedDescriptors()
            Interruption.install()
            var line = [UInt8]()
            var byte: UInt8 = 0
            while read(0, &byte, 1) == 1 && byte != UInt8(ascii: "\n") { line.append(byte) }
            // No number: the start that spawned this did not record the job.
            guard let id = Int(String(decoding: line, as: UTF8.self)), !argv.isEmpty else { return }
            setenv("FABRIC_JOB", String(id), 1)
            let output = try Spawn.temporaryFile(), errors = try Spawn.temporaryFile()
            var status: Int32
            do {
                let child = try Spawn.inGroup(argv, stdout: output, stderr: errors)
                status = Spawn.exitStatus(of: child)
            } catch {
                let text = Array("fabric-job: \(error.message)\n".utf8)
                _ = text.withUnsafeBytes { write(errors, $0.baseAddress, $0.count) }
                status = 127
            }
            let state: JobRow.State = status == 0 ? .succeeded : Interruption.signalNumber != 0 ? .cancelled : .failed
            var stderr = Spawn.contents(of: errors)
            if stderr.count > Supervise.stderrLimit {
                stderr = "[fabric-job: the first \(stderr.count - Supervise.stderrLimit) bytes are left out]\n"
                    + String(decoding: Array(stderr.utf8.suffix(Supervise.stderrLimit)), as: UTF8.self)
            }
            // The store is opened now, not before the command starts, so the command does not
            // inherit its descriptors; a second SIGTERM must not cut the record of the end short.
            let recorded = Interruption.cleaningUp {
                Result { () throws(FabricError) in
                    try Jobs(storeOptions).store.endJob(id, state: state, exitStatus: Int(status), output: Spawn.contents(of: output), stderr: stderr)
                }
            }
            _ = try recorded.get()
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the record of every job, oldest first.",
            discussion: "A running job of this host whose process is gone is recorded lost first.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("Only jobs in this state: \(JobRow.State.allCases.map(\.rawValue).joined(separator: ", ")).",
                                   valueName: "state"))
        var state: String?

        func validate() throws {
            if let state, JobRow.State(rawValue: state) == nil {
                throw FabricError.usage("--state must be one of \(JobRow.State.allCases.map(\.rawValue).joined(separator: ", ")), not \(quoted(state))")
            }
        }

        func run() throws {
            let jobs = try Jobs(storeOptions)
            for job in try jobs.store.jobs() {
                let current = try jobs.refreshed(job)
                if state.map({ $0 == current.state.rawValue }) ?? true {
                    RecordWriter.standardOutput.write(current.json(full: false))
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one job's record with the command's output records and standard error.",
            discussion: "With --output or --stderr, print what the command printed there instead, as it printed it.")

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The job's number.", valueName: "job"), transform: { text in try jobID(text) })
        var id: Int

        @Flag(help: "Print the command's output records instead of the job's record.")
        var output = false

        @Flag(help: "Print the command's standard error instead of the job's record.")
        var stderr = false

        func validate() throws {
            if output && stderr { throw FabricError.usage("--output and --stderr exclude each other") }
        }

        func run() throws {
            let job = try Jobs(storeOptions).job(id)
            if output {
                Jobs.writeOutput(of: job)
            } else if stderr {
                var text = Substring(job.stderr)
                if text.hasSuffix("\n") { text = text.dropLast() }
                if !text.isEmpty { RecordWriter.standardOutput.write(line: String(text)) }
            } else {
                RecordWriter.standardOutput.write(job.json(full: true))
            }
        }
    }

    struct Wait: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wait until a job ends, print what its command printed, and exit as it did.",
            discussion: """
                The command's output records go to standard output and its standard error to \
                standard error; the exit status is the command's (a lost job: 1). Interrupting \
                the wait leaves the job running.
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var timeout: JobTimeout

        @Argument(help: ArgumentHelp("The job's number.", valueName: "job"), transform: { text in try jobID(text) })
        var id: Int

        func run() throws {
            let job = try Jobs(storeOptions).ended(id, timeout: timeout.timeout)
            Jobs.writeOutput(of: job)
            RecordWriter.standardOutput.flush()
            let errors = Array(job.stderr.utf8)
            _ = errors.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            Tool.exit(job.state == .lost ? 1 : Int32(clamping: job.exitStatus ?? 1))
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a running job as Ctrl-C would, wait for its clean-up, and print its record.",
            discussion: """
                Sends SIGTERM to the job's process group, so the command removes what it made, \
                as after Ctrl-C; then waits until the job has recorded its end. A job runs on \
                one host: cancelling it from another is a usage error naming that host. A job \
                that has already ended is left as it is (exit 0).
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var timeout: JobTimeout

        @Argument(help: ArgumentHelp("The job's number.", valueName: "job"), transform: { text in try jobID(text) })
        var id: Int

        func run() throws {
            let jobs = try Jobs(storeOptions)
            let job = try jobs.job(id)
            guard job.state == .running else {
                warn("job \(id) has already ended (\(job.state.rawValue)); nothing to cancel")
                RecordWriter.standardOutput.write(job.json(full: false))
                return
            }
            guard job.host == jobs.host else {
                throw FabricError.usage("job \(id) runs on host \(quoted(job.host)), not on this one (\(quoted(jobs.host)))",
                                        hint: "cancel it there: fabric job cancel \(id)")
            }
            if kill(-pid_t(job.pid), SIGTERM) != 0 && errno != ESRCH {
                throw FabricError.usage("cannot signal job \(id)'s processes (pid \(job.pid)): \(String(cString: strerror(errno)))")
            }
            RecordWriter.standardOutput.write(try jobs.ended(id, timeout: timeout.timeout).json(full: false))
        }
    }
}
