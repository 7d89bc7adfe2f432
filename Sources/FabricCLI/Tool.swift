import FabricRecords
import ArgumentParser
import Glibc

/// How every tool starts and ends: one error format on stderr
/// (`fabric-boot: ProviderError: provider "x" does not exist (see: fabric provider list)`),
/// one table of exit statuses, and records flushed before exit.
public enum Tool {
    public static var name: String {
        get { toolName }
        set { toolName = newValue }
    }

    public static func exit(_ status: Int32) -> Never {
        RecordWriter.standardOutput.flush()
        for release in releases.reversed() { release() }
        Glibc.exit(status)
    }

    /// What must be let go however the command ends (a store lock): exit() skips `defer`.
    nonisolated(unsafe) private static var releases: [() -> Void] = []

    public static func onExit(_ release: @escaping () -> Void) { releases.append(release) }

    /// Prints a text (help) in one write, so `fabric help | head -n 1` ends cleanly, not by
    /// SIGPIPE on a later write of a buffered print.
    public static func printAtOnce(_ text: String, to fd: Int32 = 1) {
        RecordWriter.standardOutput.flush()
        writeFully(fd, Array((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    public static func fail(_ error: FabricError) -> Never {
        RecordWriter.standardOutput.flush()
        // Under the porcelain, which says in one line what an interruption removed.
        if error.kind != .interrupted || environment("FABRIC_PORCELAIN") == nil { warn(error.description) }
        if error.kind == .interrupted { Glibc.exit(Interruption.exitStatus) }
        Glibc.exit(error.kind.exitStatus)
    }
}

extension ParsableCommand {
    /// Parses the command line (or `arguments`, without the program's name) and runs the tool,
    /// with fabric's error format and exit statuses.
    public static func fabricMain(_ arguments: [String]? = nil) -> Never {
        Tool.name = configuration.commandName ?? Tool.name
        umask(0o077)
        let command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            // A FabricError from a validate() arrives wrapped by ArgumentParser; report it as
            // itself (its own kind and exit status), not as "UsageError: UsageError: ...".
            if let fabricError = wrappedFabricError(in: error) { Tool.fail(fabricError) }
            let status = exitCode(for: error)
            if status == .success {
                Tool.printAtOnce(fullMessage(for: error))
                Tool.exit(0)
            }
            // One line, as every other failure: the usage is a --help away.
            let message = self.message(for: error).replacingFirst("Error: ", with: "")
                .split(separator: "\n").map(String.init).first ?? ""
            Tool.fail(.usage(message, hint: "see: \(Tool.name) --help"))
        }
        do {
            var command = command
            try command.run()
        } catch let error as FabricError {
            Tool.fail(error)
        } catch let error as JSONSyntaxError {
            Tool.fail(.input("invalid JSON: \(error.reason)"))
        } catch {
            // `--help`, `-h` and the `help` subcommand end here as a clean exit whose message
            // is the help text: print it rather than exit silently.
            let status = exitCode(for: error)
            if status == .success {
                let text = fullMessage(for: error)
                if !text.isEmpty { Tool.printAtOnce(text) }
                Tool.exit(0)
            }
            warn("UsageError: " + message(for: error).replacingFirst("Error: ", with: ""))
            Tool.exit(FabricError.Kind.usage.exitStatus)
        }
        Tool.exit(0)
    }

    /// The FabricError inside ArgumentParser's (internal) wrapper types, found by reflection
    /// because ArgumentParser offers no public way to unwrap an error thrown from validate().
    public static func wrappedFabricError(in error: Any, depth: Int = 0) -> FabricError? {
        if let error = error as? FabricError { return error }
        guard depth < 4 else { return nil }
        for child in Mirror(reflecting: error).children {
            if let found = wrappedFabricError(in: child.value, depth: depth + 1) { return found }
        }
        return nil
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        hasPrefix(target) ? replacement + dropFirst(target.count) : self
    }
}
