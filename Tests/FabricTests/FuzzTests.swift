import Foundation
import Testing

/// A short libFuzzer run (Tests/Fuzz/run, 20 s) of the record reader and the key=value, nic and
/// block-device parsers: it fails on any crash or sanitizer report and prints the executions.
@Suite struct FuzzTests {
    @Test func parsersSurviveTwentySecondsOfFuzzing() {
        let h = Harness()
        let result = h.run("/bin/bash", [Harness.root.appendingPathComponent("Tests/Fuzz/run").path, "-max_total_time=20"],
                           env: ["FUZZ_DIR": h.directory.appendingPathComponent("fuzz").path])
        #expect(result.status == 0, "fuzzing found a crash or did not build:\n\(result.stderr.suffix(4000))")
        let done = result.stderr.split(separator: "\n").last { $0.hasPrefix("Done ") } ?? "no \"Done\" line"
        #expect(done.hasPrefix("Done "), "\(result.stderr.suffix(2000))")
        let runs = Int(done.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(runs > 1000, "\(done)")
        print("fuzz: record reader + key=value/nic/block-device parsers: \(done)")
    }
}
