import FabricRecords
import Glibc

/// A named lease in the store: one holder at a time, across every host that shares the store
/// (a MySQL store's transactions serialize on one row, so two hosts, or two Galera nodes,
/// cannot both take it). The holder renews it while it works; a holder that died without
/// releasing it blocks others for at most one lease.
extension Store {
    public enum LockAttempt: Equatable {
        case acquired
        /// Who holds it, and until when (seconds since the epoch) unless renewed.
        case held(by: String, until: Double)
    }

    /// Takes the lock for `holder` unless someone else holds an unexpired lease on it.
    public func tryLock(_ name: String, holder: String, lease: Double) throws(FabricError) -> LockAttempt {
        try Schema.check(name, fits: "locks", "name", as: "lock name")
        return try database.transaction { () throws(FabricError) in
            if let row = try database.rows("SELECT holder, expires FROM locks WHERE name = ?", [.text(name)]).first,
               let current = row.text(0), current != holder, let expires = row.real(1), expires > now(),
               !Store.holderIsGone(current) {
                return .held(by: current, until: expires)
            }
            try database.run("DELETE FROM locks WHERE name = ?", [.text(name)])
            try database.run("INSERT INTO locks (name, holder, expires) VALUES (?, ?, ?)",
                             [.text(name), .text(holder), .real(now() + lease)])
            return .acquired
        }
    }

    /// A holder (HOST:PID) of this host whose process no longer runs (killed with -9, say):
    /// its lease is not waited out.
    static func holderIsGone(_ holder: String) -> Bool {
        guard let colon = holder.lastIndex(of: ":"), String(holder[..<colon]) == hostName(),
              let pid = pid_t(holder[holder.index(after: colon)...]), pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Takes the lock, waiting up to `wait` seconds while another holds it: a TimeoutError
    /// naming the holder after that, Interrupted when a signal ends the wait.
    public func acquireLock(_ name: String, holder: String, lease: Double, wait: Double) throws(FabricError) {
        var heldBy: String?
        let outcome = try Backoff(first: 0.1, factor: 1.5, cap: 1).poll(timeout: max(wait, 0.001)) { () throws(FabricError) -> Bool in
            switch try tryLock(name, holder: holder, lease: lease) {
            case .acquired: return true
            case .held(let other, _):
                heldBy = other
                return false
            }
        }
        switch outcome {
        case .done: return
        case .interrupted: try Interruption.check()
        case .timedOut: break
        }
        throw FabricError(.timeout, "lock \(quoted(name)) is held by \(heldBy ?? "another command")"
                          + (wait > 0 ? " after \(formatSeconds(wait))" : ""),
                          hint: "wait for it, or try again with --wait SECONDS")
    }

    /// Extends the holder's lease; false when it no longer holds the lock (its lease ran out
    /// and another took it).
    public func renewLock(_ name: String, holder: String, lease: Double) throws(FabricError) -> Bool {
        try database.transaction { () throws(FabricError) in
            try database.run("UPDATE locks SET expires = ? WHERE name = ? AND holder = ?",
                             [.real(now() + lease), .text(name), .text(holder)]) == 1
        }
    }

    public func unlock(_ name: String, holder: String) throws(FabricError) {
        try database.transaction { () throws(FabricError) in
            _ = try database.run("DELETE FROM locks WHERE name = ? AND holder = ?", [.text(name), .text(holder)])
        }
    }
}
