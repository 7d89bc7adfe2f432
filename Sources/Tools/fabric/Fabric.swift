import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

/// `fabric`, the porcelain: the spec's commands, each a pipeline of the fabric-* tools that
/// a user could type (`fabric help GROUP COMMAND` shows it). As git's builtins, it is declared
/// here once, and its help, completions and man page synopsis come from these declarations.
struct Fabric: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric",
        abstract: "Provision MySQL machines in the cloud: providers, machines, snapshots and background jobs.",
        usage: """
            fabric [--json|--table] GROUP COMMAND [ARGS] [OPTIONS]
              fabric NAME [ARGS]          (runs fabric-NAME: fabric store list machines)
              fabric help [GROUP [COMMAND] | NAME] | --help | --version
              fabric --verbose GROUP COMMAND ...   (shows each pipeline and traces HTTP on stderr)
            """,
        discussion: """
            Options take the spec's spellings (--number_machines) or dashed ones (--number-machines). \
            Output is an aligned table on a terminal and JSON lines otherwise; --json and --table \
            choose. See fabric(1) for each command and the pipeline behind it.
            """,
        version: fabricVersionLine,
        subcommands: [ProviderCommands.self, MachineCommands.self, SnapshotCommands.self, JobCommands.self])

    /// The arguments as the command tree parses them, kept for a background job's command line.
    nonisolated(unsafe) static var parsedArguments: [String] = []

    /// Runs `fabric ARGUMENTS...`.
    static func start(_ arguments: [String]) -> Never {
        Tool.name = "fabric"
        var arguments = arguments
        var leading: [String] = []
        // --json, --table and --verbose may come before the group; they are each command's.
        while let first = arguments.first, ["--json", "--table", "--verbose"].contains(first) {
            arguments.removeFirst()
            if first == "--verbose" { setenv("FABRIC_DEBUG", "1", 1) } else { leading.append(first) }
        }
        guard let first = arguments.first else {
            warn("needs a command: provider, machine, snapshot, job or help")
            Tool.printAtOnce(helpMessage(), to: 2)
            Tool.exit(FabricError.Kind.usage.exitStatus)
        }
        switch first {
        case "__commands":
            do { try CommandTable.print() } catch { Tool.fail(error) }
            Tool.exit(0)
        case "version": arguments = ["--version"]
        case "help" where arguments.count > 1 && !isGroup(arguments[1]):
            runTool(arguments[1], ["--help"])
        case "help" where arguments.count > 2 && !isCommand(arguments[1], arguments[2]):
            Tool.fail(.usage("unknown command: fabric \(arguments[1]) \(arguments[2])", hint: "see: fabric help \(arguments[1])"))
        case _ where !first.hasPrefix("-") && first != "help" && first != "__commands" && !isGroup(first):
            runTool(first, Array(arguments.dropFirst()))
        default: break
        }
        do {
            arguments = try spelledForParsing(arguments)
        } catch {
            Tool.fail(error)
        }
        // The leading options go after the command's words, where its parser looks for them.
        let words = arguments.prefix { !$0.hasPrefix("-") }.count
        arguments.insert(contentsOf: leading, at: min(words, 2, arguments.count))
        parsedArguments = arguments
        fabricMain(arguments)
    }

    static func isGroup(_ word: String) -> Bool {
        configuration.subcommands.contains { $0.configuration.commandName == word }
    }

    static func isCommand(_ group: String, _ word: String) -> Bool {
        configuration.subcommands.first { $0.configuration.commandName == group }?.configuration.subcommands
            .contains { $0.configuration.commandName == word } == true
    }

    /// `fabric NAME ARGS...`: the tool fabric-NAME, a builtin of this executable or a command on
    /// PATH (git's way of letting a user add commands).
    static func runTool(_ name: String, _ arguments: [String]) -> Never {
        let tool = "fabric-" + name
        let argv = [tool] + arguments
        let cArguments = argv.map { strdup($0) } + [nil]
        if isBuiltin(tool) {
            execv(Spawn.thisExecutable(), cArguments)
        } else {
            execvp(tool, cArguments)
        }
        Tool.fail(.usage("unknown command: \(name) (no \(tool) on PATH)", hint: "see: fabric help"))
    }

    /// The spec's `--synchronous` alone is `--synchronous=true`; a value after it is refused
    /// rather than taken for an argument, and a value that is no boolean is refused in words
    /// that say what it takes.
    static func spelledForParsing(_ arguments: [String]) throws(FabricError) -> [String] {
        var result: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let word = arguments[index]
            index += 1
            if word == "--" {
                result += arguments[(index - 1)...]
                break
            }
            if word == "--synchronous" {
                if index < arguments.endIndex, Synchronous(argument: arguments[index]) != nil {
                    throw FabricError.usage("--synchronous takes its value after =: --synchronous=\(arguments[index])")
                }
                result.append("--synchronous=true")
                continue
            }
            if word.hasPrefix("--synchronous=") {
                let value = String(word.dropFirst("--synchronous=".count))
                guard Synchronous(argument: value) != nil else {
                    throw FabricError.usage("--synchronous takes true or false (yes/no, 1/0), not \(quoted(value))")
                }
            }
            result.append(word)
        }
        return result
    }

    /// A background job's words: the command as parsed, without `--synchronous` and the
    /// options that name a secret's source (the secret itself reaches the job in its environment).
    static func jobWords() -> [String] {
        let secrets: Set<String> = ["--store_password_file", "--store-password-file", "--mysql_password_file",
                                    "--mysql-password-file", "--password-file", "--password_file", "--password-env",
                                    "--password_env"]
        var words: [String] = []
        var index = parsedArguments.startIndex
        while index < parsedArguments.endIndex {
            let word = parsedArguments[index]
            index += 1
            if word == "--" {
                words += parsedArguments[(index - 1)...]
                break
            }
            let name = String(word.prefix { $0 != "=" })
            if word.hasPrefix("--synchronous") || ["--password-stdin", "--password_stdin", "--json", "--table"].contains(word) { continue }
            if secrets.contains(name) {
                if !word.contains("=") { index += 1 }
                continue
            }
            words.append(word)
        }
        return words
    }

    static func helpMessage() -> String { helpMessage(for: Fabric.self) }
}

/// A group of commands (`fabric machine`): with no command, the group's help and a usage error.
protocol CommandGroup: ParsableCommand {}

extension CommandGroup {
    func run() throws {
        Tool.printAtOnce(Fabric.helpMessage(for: Self.self), to: 2)
        throw FabricError.usage("fabric \(Self.configuration.commandName ?? "") needs a command",
                                hint: "see: fabric help \(Self.configuration.commandName ?? "")")
    }
}

struct ProviderCommands: CommandGroup {
    static let configuration = CommandConfiguration(
        commandName: "provider", abstract: "Register, unregister and list providers.",
        subcommands: [ProviderRegister.self, ProviderUnregister.self, ProviderList.self])
}

struct MachineCommands: CommandGroup {
    static let configuration = CommandConfiguration(
        commandName: "machine", abstract: "Create, destroy, wait for, list and scale machines.",
        subcommands: [MachineCreate.self, MachineDestroy.self, MachineWait.self, MachineList.self, MachineScale.self, MachineRefresh.self,
                      MachineProtect.self, MachineUnprotect.self])
}

struct SnapshotCommands: CommandGroup {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Create and destroy snapshots.",
        subcommands: [SnapshotCreate.self, SnapshotDestroy.self])
}

struct JobCommands: CommandGroup {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Follow the background jobs of --synchronous=false.",
        subcommands: [JobList.self, JobShow.self, JobWait.self, JobCancel.self])
}

/// Arguments and their checks, in the porcelain's words.
enum Arguments {
    @discardableResult
    static func provider(_ id: String) throws(FabricError) -> String { try Identifier.provider.check(id) }

    /// Machine uuids, each once, in the order given.
    static func machines(_ uuids: [String]) throws(FabricError) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for uuid in uuids {
            try Identifier.machine.check(uuid)
            if seen.insert(uuid).inserted { result.append(uuid) }
        }
        return result
    }

    static func seconds(_ text: String?, option: String, default value: Double) throws(FabricError) -> Double {
        guard let text else { return value }
        guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
            throw FabricError.usage("\(option) takes a number of seconds above 0, not \(quoted(text))")
        }
        return seconds
    }
}

/// Completion of the ids the store holds: registered providers, a provider's machines, jobs.
enum StoreCompletion {
    static func providers(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        listed(store: storeWord(words), kind: "providers", field: "provider_id")
    }

    static func machines(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let provider = words.dropFirst(3).first { !$0.hasPrefix("-") } ?? ""
        return listed(store: storeWord(words), kind: "machines", field: "uuid", provider: provider)
    }

    static func groups(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let provider = words.dropFirst(3).first { !$0.hasPrefix("-") } ?? ""
        return Array(Set(listed(store: storeWord(words), kind: "machines", field: "group", provider: provider))).sorted()
    }

    static func jobs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        guard let store = try? Store(Porcelain.storeOptions(storeWord(words)), access: .existing), let jobs = try? store.jobs() else { return [] }
        return jobs.map { String($0.id) }
    }

    private static func storeWord(_ words: [String]) -> String? {
        for (index, word) in words.enumerated() {
            if word.hasPrefix("--store=") { return String(word.dropFirst("--store=".count)) }
            if word == "--store", index + 1 < words.count { return words[index + 1] }
        }
        return nil
    }

    private static func listed(store location: String?, kind: String, field: String, provider: String = "") -> [String] {
        guard let store = try? Store(Porcelain.storeOptions(location), access: .existing) else { return [] }
        switch kind {
        case "providers": return ((try? store.providers()) ?? []).map(\.id)
        default:
            var uuids: [String] = []
            try? store.machines(.init(providerID: provider)) { record in uuids.append(record[field]?.string ?? "") }
            return uuids
        }
    }
}
