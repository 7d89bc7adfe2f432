extension RecordReader {
    /// Reads every record and hands each to `take`, for tools that check their whole input
    /// before acting on any of it. Records are taken one at a time, so a tool can keep what it
    /// needs of each (its text, a few fields) instead of every parsed tree: holding 100,000
    /// trees cost 410 MB and half the run time (Tests/Benchmarks/run throughput). An error from
    /// `take` stops the taking but not the reading, so malformed JSON anywhere in the input is
    /// still reported first, as when the whole input was parsed before any record was looked at.
    public mutating func readAll(_ take: (JSON) throws(FabricError) -> Void) throws(FabricError) {
        var firstError: FabricError?
        while let record = try next() {
            guard firstError == nil else { continue }
            do throws(FabricError) { try take(record) } catch { firstError = error }
        }
        if let firstError { throw firstError }
    }
}
