import FabricRecords
import Glibc

/// Tools joined by pipes, as a shell runs `a | b | c`: a value that the porcelain builds, shows
/// (`fabric help COMMAND`, `--verbose`) and runs. A `fabric-*` stage is a builtin of this
/// executable, started as it under the tool's name: no PATH lookup, no link needed.
///
/// The stages run in a process group of their own, so an interruption of the porcelain reaches
/// them as one SIGTERM that it sends when it chooses, after which it waits for their clean-up.
public struct Pipeline: CustomStringConvertible {
    public var stages: [[String]]
    /// Records (or a line) for the first stage's standard input; nil: the porcelain's own.
    public var input: [UInt8]?
    /// Standard error to /dev/null: a clean-up step whose "nothing there" is no news.
    public var quiet = false

    public init(_ stages: [[String]], input: [UInt8]? = nil) {
        self.stages = stages
        self.input = input
    }

    public init(_ stage: [String], input: [UInt8]? = nil) { self.init([stage], input: input) }

    /// Records as the first stage's input, one JSON line each.
    public init(_ stages: [[String]], records: [JSON]) {
        self.init(stages, input: records.flatMap { Array($0.encoded().utf8) + [UInt8(ascii: "\n")] })
    }

    /// The pipeline with one more stage at its end.
    public static func | (pipeline: Pipeline, stage: [String]) -> Pipeline {
        var result = pipeline
        result.stages.append(stage)
        return result
    }

    /// The pipeline with its standard error dropped.
    public var quietly: Pipeline {
        var result = self
        result.quiet = true
        return result
    }

    public var description: String {
        let shown = stages.map { $0.map(shellWord).joined(separator: " ") }.joined(separator: " | ")
        guard let input else { return shown }
        let lines = input.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        return "(\(lines) record\(lines == 1 ? "" : "s")) | " + shown
    }

    public enum Output { case standardOutput, captured, discarded }

    public struct Outcome {
        /// As bash's pipefail gives it: the last stage's status that is not 0, else 0.
        public let status: Int32
        /// What the last stage printed, with `.captured`.
        public let output: [UInt8]
        /// The signal that interrupted the porcelain while the pipeline ran (0: none).
        public let interruptedBy: Int32
    }

    /// Runs the stages and waits for all of them. `tick` is called about every 100 ms while they
    /// run (a lock's lease renewed). A SIGINT, SIGTERM or SIGHUP of the porcelain (Interruption)
    /// is passed on as one SIGTERM to the group, whose tools then clean up; the outcome says so.
    public func run(output: Output = .standardOutput, tick: (() -> Void)? = nil) throws(FabricError) -> Outcome {
        precondition(!stages.isEmpty, "a pipeline of no stage")
        var owned: [Int32] = []
        defer { for fd in owned { close(fd) } }
        var source: Int32 = 0
        if let input {
            source = try Spawn.temporaryFile()
            owned.append(source)
            guard writeFully(source, input) else {
                throw FabricError.usage("cannot write a temporary file: \(String(cString: strerror(errno)))")
            }
            lseek(source, 0, SEEK_SET)
        }
        var sink: Int32 = 1
        switch output {
        case .standardOutput: break
        case .captured:
            sink = try Spawn.temporaryFile()
            owned.append(sink)
        case .discarded:
            sink = open("/dev/null", O_WRONLY | O_CLOEXEC)
            owned.append(sink)
        }
        var errors: Int32 = 2
        if quiet {
            errors = open("/dev/null", O_WRONLY | O_CLOEXEC)
            owned.append(errors)
        }
        RecordWriter.standardOutput.flush()
        let executable = Spawn.thisExecutable()
        // FABRIC_TOOLS names a directory of tools to run instead (a build of its own, a wrapper).
        let toolDirectory = environment("FABRIC_TOOLS")
        var pids: [pid_t] = []
        var group: pid_t = 0
        var reading = source
        for (index, argv) in stages.enumerated() {
            var writing = sink
            var next: Int32 = -1
            if index < stages.count - 1 {
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else {
                    stop(pids, group)
                    throw FabricError.usage("cannot make a pipe: \(String(cString: strerror(errno)))")
                }
                // Close-on-exec: each stage gets its own ends as 0 and 1, and no other.
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                next = ends[0]
                writing = ends[1]
            }
            var path = argv[0].hasPrefix("fabric-") ? executable : argv[0]
            if let toolDirectory, argv[0].hasPrefix("fabric-"), access(toolDirectory + "/" + argv[0], X_OK) == 0 {
                path = toolDirectory + "/" + argv[0]
            }
            let pid: pid_t
            do {
                pid = try Spawn.stage(path, argv, stdin: reading, stdout: writing, stderr: errors, group: group)
            } catch {
                if next >= 0 { close(next); close(writing) }
                if reading != source { close(reading) }
                stop(pids, group)
                throw error
            }
            if group == 0 { group = pid }
            pids.append(pid)
            if reading != source { close(reading) }
            if writing != sink { close(writing) }
            reading = next
        }
        let statuses = wait(pids, group: group, tick: tick)
        let status = statuses.last { $0 != 0 } ?? 0
        var captured: [UInt8] = []
        if output == .captured { captured = Array(Spawn.contents(of: sink).utf8) }
        return Outcome(status: status, output: captured, interruptedBy: Interruption.signalNumber)
    }

    /// Waits for every stage, passing an interruption on once; the statuses in stage order.
    private func wait(_ pids: [pid_t], group: pid_t, tick: (() -> Void)?) -> [Int32] {
        var statuses = [Int32](repeating: 0, count: pids.count)
        var running = Set(pids)
        var forwarded = false
        var lastTick = monotonicNow()
        while !running.isEmpty {
            if Interruption.requested && !forwarded {
                forwarded = true
                kill(-group, SIGTERM)
            }
            var status: Int32 = 0
            let pid = waitpid(-group, &status, WNOHANG)
            if pid > 0, running.remove(pid) != nil, let index = pids.firstIndex(of: pid) {
                statuses[index] = shellStatus(waitStatus: status)
                continue
            }
            if pid < 0 && errno == ECHILD { break }
            if let tick, monotonicNow() - lastTick >= 0.1 {
                lastTick = monotonicNow()
                tick()
            }
            // Returns early when a signal arrives, which is then passed on at once.
            usleep(5_000)
        }
        return statuses
    }

    /// Ends the stages already started when a later one cannot start.
    private func stop(_ pids: [pid_t], _ group: pid_t) {
        guard group != 0 else { return }
        kill(-group, SIGTERM)
        for pid in pids { _ = Spawn.exitStatus(of: pid) }
    }

}

/// A word as a shell would need it typed: bare when it is safe, else in single quotes.
public func shellWord(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy { scalar in
        (scalar.value < 128 && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
            || "-_./=:,@%+".unicodeScalars.contains(scalar)
    }
    if safe && !word.isEmpty { return word }
    return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
