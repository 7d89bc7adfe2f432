import Glibc

/// SIGINT, SIGTERM and SIGHUP (a closed terminal or ssh session) set a flag instead of killing
/// the process, so a tool that has made something in the cloud can remove it before it exits.
/// Tools check `Interruption.requested` between steps, and long waits (sleeps, transfers that
/// can be repeated) end early when it is set.
public enum Interruption {
    nonisolated(unsafe) private static var signal: Int32 = 0
    nonisolated(unsafe) private static var cleaningUp = false

    /// True once SIGINT, SIGTERM or SIGHUP arrived, except while cleaning up after it.
    public static var requested: Bool { signal != 0 && !cleaningUp }
    public static var signalNumber: Int32 { signal }

    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { Interruption.signal = $0 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0   // no SA_RESTART: blocking calls return EINTR so we notice
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGHUP, &action, nil)
        // A parent may hand down a mask that blocks them (threaded launchers do, Foundation's
        // Process among them); blocked, they would never reach the handler and an
        // interrupted tool could not clean up.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGHUP)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    /// Runs the clean-up of a failed or interrupted step: a signal must not cut it short,
    /// or what it is removing would be left behind.
    public static func cleaningUp<T>(_ body: () -> T) -> T {
        cleaningUp = true
        defer { cleaningUp = false }
        return body()
    }

    public static func check() throws(FabricError) {
        if signal != 0 && !cleaningUp {
            throw FabricError(.interrupted, "interrupted by \(signal == SIGINT ? "SIGINT" : signal == SIGHUP ? "SIGHUP" : "SIGTERM")")
        }
    }

    /// Exit status a shell gives a process killed by the signal, so callers see the usual 130/143.
    public static var exitStatus: Int32 { 128 + (signal == 0 ? SIGINT : signal) }
}
