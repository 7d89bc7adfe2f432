import Foundation
import Testing

/// The real-cloud scripts that `make test` does not run (`make acceptance`, `make bench`): they
/// stay valid bash, and the acceptance suite skips in one line when no cloud is named.
@Suite struct AcceptanceScriptTests {
    static let acceptance = Harness.root.appendingPathComponent("Tests/Acceptance/run").path
    static let benchmarks = Harness.root.appendingPathComponent("Tests/Benchmarks/run").path

    @Test func acceptanceSkipsInOneLineWithoutACloud() {
        // Empty counts as unset, so a sourced openrc in the developer's shell does not matter here.
        let result = Harness().run("/bin/bash", [Self.acceptance], env: ["OS_AUTH_URL": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.count == 1, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("acceptance: skipped: OS_AUTH_URL is not set"), "\(result.stdout)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test(.enabled(if: DocumentationTests.which("shellcheck") != nil, "shellcheck is not installed (make deps installs it)"))
    func realCloudScriptsPassShellcheck() {
        for script in [Self.acceptance, Self.benchmarks] {
            let lint = Harness().run(DocumentationTests.which("shellcheck")!, ["-s", "bash", script])
            #expect(lint.status == 0, "shellcheck \(script):\n\(lint.stdout)\(lint.stderr)")
        }
    }
}
