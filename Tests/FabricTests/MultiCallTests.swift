import Foundation
import Testing

/// The tools are one executable, fabric-tools, that is the tool it was started as (a link's name)
/// or the one named first: each name behaves as its own tool did, and a wrong name is told which
/// names exist.
@Suite struct MultiCallTests {
    static let executable = Harness.binDirectory.appendingPathComponent("fabric-tools").path
    static let toolList = (["fabric"] + DocumentationTests.tools).joined(separator: ", ")

    @Test func listsEveryTool() {
        let result = Harness().run(Self.executable, ["--list"])
        #expect(result.status == 0)
        #expect(result.lines == ["fabric"] + DocumentationTests.tools)
    }

    /// Through a link and by name (`fabric-tools fabric-store`, `fabric-tools store`), the same
    /// help, version and exit status.
    @Test(arguments: DocumentationTests.tools)
    func aToolByItsLinkAndByName(_ tool: String) {
        let h = Harness()
        let link = Harness.binDirectory.appendingPathComponent(tool).path
        for arguments in [["--help"], ["--version"], ["--no-such-option"]] {
            let linked = h.run(link, arguments)
            for named in [[tool] + arguments, [String(tool.dropFirst("fabric-".count))] + arguments] {
                let direct = h.run(Self.executable, named)
                #expect(direct.status == linked.status, "\(named)")
                #expect(direct.stdout == linked.stdout, "\(named)")
                #expect(direct.stderr == linked.stderr, "\(named)")
            }
        }
        #expect(h.run(link, ["--help"]).stdout.contains("USAGE: \(tool)"))
        #expect(h.run(link, ["--no-such-option"]).status == 64)
    }

    /// A link whose name is no tool (a typo), run as a user would: a usage error naming the tools.
    @Test func aMistypedLinkNamesTheTools() throws {
        let h = Harness()
        let link = h.directory.appendingPathComponent("fabric-stor").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: Self.executable)
        let result = h.run(link, ["list", "providers"])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "fabric-stor: UsageError: no tool named \"fabric-stor\" (tools: \(Self.toolList))\n")
        #expect(!FileManager.default.fileExists(atPath: h.store))
    }

    @Test func aMistypedOrMissingToolNameNamesTheTools() {
        let h = Harness()
        let mistyped = h.run(Self.executable, ["fabric-stor", "list"])
        #expect(mistyped.status == 64)
        #expect(mistyped.stderr == "fabric-tools: UsageError: no tool named \"fabric-stor\" (tools: \(Self.toolList))\n")
        let missing = h.run(Self.executable, [])
        #expect(missing.status == 64)
        #expect(missing.stderr == "fabric-tools: UsageError: which tool? (tools: \(Self.toolList))\n")
        let help = h.run(Self.executable, ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("tools: \(Self.toolList)"))
    }
}
