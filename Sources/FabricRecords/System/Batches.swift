extension Array {
    /// The elements in runs of at most `size`: one filtered request per run.
    package func batched(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
