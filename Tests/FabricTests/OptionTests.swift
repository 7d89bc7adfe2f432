import Foundation
import Testing

/// The plumbing tools' own options, help and errors, run as a user types them.
@Suite struct OptionTests {
    static let tools = DocumentationTests.tools

    @Test(arguments: tools)
    func helpFlagsPrintHelpOnStdout(tool: String) {
        let h = Harness()
        for flag in ["--help", "-h"] {
            let result = h.run(Harness.binDirectory.appendingPathComponent(tool).path, [flag])
            #expect(result.status == 0, "\(tool) \(flag): \(result.stderr)")
            #expect(result.stdout.contains("OVERVIEW:"), "\(tool) \(flag) printed: \(result.stdout)")
            #expect(result.stdout.contains("USAGE: \(tool)"), "\(tool) \(flag) printed: \(result.stdout)")
            #expect(result.stderr.isEmpty, "\(tool) \(flag): \(result.stderr)")
        }
    }

    @Test func subcommandHelpIsPrinted() {
        let h = Harness()
        let cases = [
            ("fabric-store help list", "USAGE: fabric-store list"),
            ("fabric-store list --help", "USAGE: fabric-store list"),
            ("fabric-snapshot create --help", "USAGE: fabric-snapshot create"),
            ("fabric-snapshot help destroy", "USAGE: fabric-snapshot destroy"),
            ("fabric-store add -h", "USAGE: fabric-store add"),
        ]
        for (command, usage) in cases {
            let result = h.sh(command)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(result.stdout.contains(usage), "\(command) printed: \(result.stdout)")
        }
    }

    @Test func versionIsPrinted() {
        let h = Harness()
        for tool in OptionTests.tools {
            let result = h.sh("\(tool) --version")
            #expect(result.status == 0)
            #expect(result.stdout == "0.1.0\n", "\(tool): \(result.stdout)")
        }
    }

    /// A FabricError thrown while ArgumentParser validates options is reported once, as itself.
    @Test func validationErrorsAreNotDoubled() {
        let h = Harness()
        let cases = [
            ("fabric-wait --timeout 0", "fabric-wait: UsageError: --timeout must be a positive number of seconds\n"),
            ("fabric-wait --interval 0", "fabric-wait: UsageError: --interval must be from 0 to 3600 seconds\n"),
            ("fabric-wait --interval 2 --max-interval 1",
             "fabric-wait: UsageError: --max-interval must be at least --interval and at most 3600\n"),
        ]
        for (command, message) in cases {
            let result = h.sh(command + " < /dev/null")
            #expect(result.status == 64, "\(command): \(result.status)")
            #expect(result.stderr == message, "\(command): \(result.stderr)")
        }
    }

    @Test func unknownOptionIsAUsageError() {
        let h = Harness()
        let result = h.sh("fabric-boot --nope < /dev/null")
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("fabric-boot: UsageError: Unknown option '--nope'"), "\(result.stderr)")
        #expect(!result.stderr.contains("UsageError: UsageError"))
    }
}
