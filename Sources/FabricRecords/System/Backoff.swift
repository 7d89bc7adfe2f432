/// The rhythm of every wait and retry: delays that grow by `factor` from `first` up to `cap`,
/// each varied by up to ±`jitter` (a fraction), so that many processes do not ask in step.
public struct Backoff {
    private var current: Double
    public let factor: Double
    public let cap: Double
    public let jitter: Double

    public init(first: Double, factor: Double, cap: Double, jitter: Double = 0) {
        current = first
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
    }

    /// The next delay; the one after it is longer, up to the cap.
    public mutating func next() -> Double {
        let delay = jitter == 0 ? current : current * (1 - jitter + 2 * jitter * Double.random(in: 0...1))
        current = min(current * factor, cap)
        return delay
    }

    public enum Outcome { case done, timedOut, interrupted }

    /// Runs `round` until it answers true, sleeping between rounds as this backoff says but never
    /// past `timeout` seconds from now. An interruption ends the poll before the next round: the
    /// caller decides whether that fails or only stops waiting.
    public func poll(timeout: Double, _ round: () throws(FabricError) -> Bool) throws(FabricError) -> Outcome {
        try poll(timeout: timeout) { () throws(FabricError) in try round() ? .done : .again }
    }

    /// What a round of `poll` found: finished, or to be asked again after the next delay, or
    /// after at most `seconds` (a round that costs nothing remote may come sooner).
    public enum Round { case done, again, within(Double) }

    public func poll(timeout: Double, _ round: () throws(FabricError) -> Round) throws(FabricError) -> Outcome {
        var delays = self
        let start = monotonicNow()
        while true {
            if Interruption.requested { return .interrupted }
            var delay = delays.next()
            switch try round() {
            case .done: return .done
            case .again: break
            case .within(let seconds): delay = min(delay, seconds)
            }
            let elapsed = monotonicNow() - start
            if elapsed >= timeout { return .timedOut }
            sleep(seconds: min(delay, timeout - elapsed))
        }
    }
}
