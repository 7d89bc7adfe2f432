import FabricRecords

/// Background jobs (`--synchronous=false`; fabric-job(1)): one row each in the jobs table, from
/// the moment the job's process exists to its end, with what the command printed. Numbered in
/// the store, so `fabric job show 7` names the same job on every host of a team's MySQL store.
public struct JobRow {
    public enum State: String, CaseIterable {
        case running, succeeded, failed, cancelled
        /// Its process ended without recording its end (kill -9, a reboot): how it ended is unknown.
        case lost
    }

    public let id: Int
    /// The command as its user would type it, without secrets (the wrapper passes those in the
    /// environment, never in argv).
    public let command: String
    public let host: String
    /// The job's process, the leader of its process group and session on `host`.
    public let pid: Int
    public let state: State
    public let exitStatus: Int?
    public let started: String
    public let ended: String?
    /// What the command printed on standard output: JSON lines.
    public let output: String
    public let stderr: String

    /// The job's record; `full` adds the command's output records and its standard error.
    public func json(full: Bool) -> JSON {
        let record = JSON.object()
        record["kind"] = JSON("job")
        record["job"] = JSON(id)
        record["command"] = JSON(command)
        record["state"] = JSON(state.rawValue)
        record["exit_status"] = exitStatus.map(JSON.init) ?? .null
        record["host"] = JSON(host)
        record["pid"] = JSON(pid)
        record["started"] = JSON(started)
        record["ended"] = ended.map(JSON.init) ?? .null
        if full {
            // Output that is not JSON lines (a command outside fabric) is kept as its text.
            if let records = try? RecordReader.records(in: output, source: "job \(id)'s output") {
                record["output"] = JSON.array(records)
            } else {
                record["output"] = JSON(output)
            }
            record["stderr"] = JSON(stderr)
        }
        return record
    }
}

extension Store {
    private static let jobColumns = "job_id, command, host, pid, state, exit_status, started, ended, output, stderr"

    /// Records a job that has just started and returns its number, the next in the store.
    public func addJob(command: String, host: String, pid: Int) throws(FabricError) -> Int {
        try Schema.check(host, fits: "jobs", "host", as: "host name")
        // The transaction holds the store's write lock, so two hosts never take the same number.
        return try database.transaction { () throws(FabricError) in
            let id = (try database.rows("SELECT max(job_id) FROM jobs").first?.integer(0) ?? 0) + 1
            try database.run("""
                INSERT INTO jobs (job_id, command, host, pid, state, started, output, stderr)
                VALUES (?, ?, ?, ?, ?, ?, '', '')
                """, [.integer(id), .text(command), .text(host), .integer(pid), .text(JobRow.State.running.rawValue),
                      .text(timestamp())])
            return id
        }
    }

    /// Every job, oldest first.
    public func jobs() throws(FabricError) -> [JobRow] {
        try database.rows("SELECT \(Store.jobColumns) FROM jobs ORDER BY job_id").map(jobRow)
    }

    /// The job, or a usage error naming it.
    public func job(_ id: Int) throws(FabricError) -> JobRow {
        guard let row = try database.rows("SELECT \(Store.jobColumns) FROM jobs WHERE job_id = ?", [.integer(id)]).first else {
            throw FabricError.usage("job \(id) does not exist", hint: "see: fabric job list")
        }
        return try jobRow(row)
    }

    /// Records how a running job ended; false when it had already ended (found lost meanwhile).
    @discardableResult
    public func endJob(_ id: Int, state: JobRow.State, exitStatus: Int?, output: String, stderr: String) throws(FabricError) -> Bool {
        try database.transaction { () throws(FabricError) in
            try database.run("""
                UPDATE jobs SET state = ?, exit_status = ?, ended = ?, output = ?, stderr = ?
                WHERE job_id = ? AND state = ?
                """, [.text(state.rawValue), exitStatus.map(SQLValue.integer), .text(timestamp()), .text(output),
                      .text(stderr), .integer(id), .text(JobRow.State.running.rawValue)]) == 1
        }
    }

    private func jobRow(_ row: Row) throws(FabricError) -> JobRow {
        guard let id = row.integer(0), let state = row.text(4).flatMap(JobRow.State.init(rawValue:)) else {
            throw FabricError.store("jobs holds a row fabric cannot read: job \(row.text(0) ?? "?"), state \(row.text(4) ?? "none")")
        }
        return JobRow(id: id, command: row.text(1) ?? "", host: row.text(2) ?? "", pid: row.integer(3) ?? 0, state: state,
                      exitStatus: row.integer(5), started: row.text(6) ?? "", ended: row.text(7), output: row.text(8) ?? "",
                      stderr: row.text(9) ?? "")
    }
}
