import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

extension StoreTool {
    /// As flock(1), but the lock is in the store, so it holds across every host sharing it.
    struct Lock: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a command while holding a named lock in the store.",
            discussion: """
                Takes the lock NAME (waiting up to --wait seconds while another holds it), runs \
                COMMAND, renews the lease while it runs, releases the lock when it ends and exits \
                as it did. SIGINT, SIGTERM and SIGHUP are passed on to COMMAND, whose own clean-up \
                then runs. A holder that dies without releasing the lock holds it for at most one \
                lease. A lock still held after --wait is a TimeoutError naming its holder.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The lock's name.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("Seconds to wait for a lock another holds (default 0: fail at once).", valueName: "seconds"))
        var wait: Double = 0

        @Option(help: ArgumentHelp("Seconds a lease lasts unless renewed; renewed every third of it (default 30).", valueName: "seconds"))
        var lease: Double = 30

        @Argument(parsing: .postTerminator, help: ArgumentHelp("The command and its arguments, after --.", valueName: "command"))
        var command: [String] = []

        func validate() throws {
            guard !command.isEmpty else { throw FabricError.usage("lock needs a command after --") }
            guard wait >= 0, wait.isFinite else { throw FabricError.usage("--wait must be 0 or more seconds") }
            guard lease >= 1, lease <= 3600 else { throw FabricError.usage("--lease must be from 1 to 3600 seconds") }
        }

        func run() throws {
            Interruption.install()
            let store = try Store(storeOptions, access: .creating)
            let holder = "\(hostName()):\(getpid())"
            try store.acquireLock(name, holder: holder, lease: lease, wait: wait)
            let status = runHoldingLock(store, holder: holder)
            try? store.unlock(name, holder: holder)
            // The command has said why it failed; this exits as it did, adding nothing.
            Tool.exit(status)
        }

        /// Runs the command, renewing the lease, and returns the status a shell would give it.
        private func runHoldingLock(_ store: Store, holder: String) -> Int32 {
            var pid: pid_t = 0
            let argv = command.map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            let spawned = posix_spawnp(&pid, command[0], nil, nil, argv, environ)
            guard spawned == 0 else {
                warn("cannot run \(quoted(command[0])): \(String(cString: strerror(spawned)))")
                return 127
            }
            var renewed = monotonicNow()
            var forwarded: Int32 = 0
            var status: Int32 = 0
            while true {
                let done = waitpid(pid, &status, WNOHANG)
                if done == pid || (done < 0 && errno != EINTR) { break }
                if Interruption.signalNumber != 0 && Interruption.signalNumber != forwarded {
                    forwarded = Interruption.signalNumber
                    kill(pid, forwarded)
                }
                if monotonicNow() - renewed >= lease / 3 {
                    renewed = monotonicNow()
                    if (try? store.renewLock(name, holder: holder, lease: lease)) != true {
                        warn("the lease of lock \(quoted(name)) could not be renewed; another command may take it")
                    }
                }
                // Not sleep(seconds:), which returns at once after a signal: the command's clean-up
                // may take a while, and this loop waits for it.
                usleep(100_000)
            }
            return shellStatus(waitStatus: status)
        }
    }
}
