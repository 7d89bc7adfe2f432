import Foundation
import Testing

/// Records on the pipe: pass-through, pretty input, and errors that name the line.
@Suite struct RecordTests {
    @Test func malformedInputNamesTheLine() {
        let h = Harness()
        h.registerNull()
        let result = h.sh("fabric-store add", stdin: "{\"kind\":\"machine\"}\n\n{\"uuid\": }\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("line 3"), "\(result.stderr)")
        let array = h.sh("fabric-wait", stdin: "[1,2]")
        #expect(array.status == 65)
        #expect(array.stderr.contains("expected a JSON object, found an array"))
    }

    @Test func prettyPrintedInputAndUnknownFieldsPassThrough() {
        let h = Harness()
        h.registerNull()
        let pretty = """
        {
          "provider_id": "demo",
          "mine": {"ticket": "OPS-1", "ratio": 0.1}
        }
        """
        let result = h.sh("fabric-find-flavor --flavor name=m1.small", stdin: pretty)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"mine\":{\"ticket\":\"OPS-1\",\"ratio\":0.1}"))
        #expect(result.records.first.flatMap { $0["flavor"] as? [String: Any] }?["name"] as? String == "m1.small")
    }
}
