import ArgumentParser
import FabricCLI
import FabricRecords

// One executable for every tool, as git runs its builtins: it is the tool it was started as
// (fabric-store, fabric-boot, ...: links to it), so the release build links once and an install
// holds one binary. `fabric-tools TOOL ARGS...` runs a tool by name without a link.

let executable = "fabric-tools"

/// Every tool, by the name it is started as.
let builtins: [(name: String, command: ParsableCommand.Type)] = [
    ("fabric", Fabric.self),
    ("fabric-find-image", FindImage.self),
    ("fabric-find-flavor", FindFlavor.self),
    ("fabric-boot", Boot.self),
    ("fabric-wait", Wait.self),
    ("fabric-public-address", PublicAddress.self),
    ("fabric-store", StoreTool.self),
    ("fabric-snapshot", SnapshotTool.self),
    ("fabric-destroy", Destroy.self),
    ("fabric-list-machines", ListMachines.self),
    ("fabric-scale", Scale.self),
    ("fabric-table", Table.self),
    ("fabric-job", JobTool.self),
]

/// Whether `name` (fabric-store, ...) is a tool of this executable.
func isBuiltin(_ name: String) -> Bool { builtin(name) != nil }

/// Runs a tool with its arguments; the porcelain has a front of its own (Fabric.start).
func run(_ tool: ParsableCommand.Type, _ arguments: [String]) -> Never {
    if tool == Fabric.self { Fabric.start(arguments) }
    tool.fabricMain(arguments)
}

/// The tool called `name`; `prefixed: false` also finds it without "fabric-" (`fabric-tools store`).
func builtin(_ name: String, prefixed: Bool = true) -> ParsableCommand.Type? {
    builtins.first { $0.name == name || (!prefixed && $0.name == "fabric-" + name) }?.command
}

func lastPathComponent(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
}

// Functions, not globals: top-level code runs in order, and a tool's start-up need not build them.
func toolList() -> String { builtins.map(\.name).joined(separator: ", ") }
func usage() -> String {
    """
    usage: \(executable) TOOL [ARGS...]
           TOOL [ARGS...]           (TOOL a link to \(executable))
           \(executable) --list | --provider-types | --help | --version
    tools: \(toolList())
    """
}

let arguments = CommandLine.arguments
let startedAs = lastPathComponent(arguments.first ?? executable)

if let tool = builtin(startedAs) {
    run(tool, Array(arguments.dropFirst()))
}
Tool.name = startedAs
guard startedAs == executable else {
    // A link of a name that is no tool (a typo, or a tool this build does not have).
    Tool.fail(.usage("no tool named \"\(startedAs)\"", hint: "tools: \(toolList())"))
}
guard arguments.count > 1 else { Tool.fail(.usage("which tool?", hint: "tools: \(toolList())")) }
switch arguments[1] {
case "-h", "--help", "help":
    print(usage())
    Tool.exit(0)
case "--list":
    // One name a line, for what makes the links (the Makefile, the tests, bin/fabric in a checkout).
    for (name, _) in builtins { print(name) }
    Tool.exit(0)
case "--provider-types":
    // One JSON line a kind of provider (name, aliases, settings, what --from-env imports): what
    // the wrapper, the man page and the completions are checked against.
    for type in ProviderType.all { RecordWriter.standardOutput.write(type.json()) }
    Tool.exit(0)
case "--version":
    print(fabricVersionLine)
    Tool.exit(0)
case let name:
    guard let tool = builtin(name, prefixed: false) else {
        Tool.fail(.usage("no tool named \"\(name)\"", hint: "tools: \(toolList())"))
    }
    run(tool, Array(arguments.dropFirst(2)))
}
