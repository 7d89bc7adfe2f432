import FabricRecords
import Glibc

/// When a request is sent again. A 429 (the service refused before doing anything) is retried
/// for every method, honouring Retry-After; a 503, a 502/504 and a failed transfer only for
/// idempotent requests, since a POST that creates servers may have been carried out.
/// The delay doubles from `initialDelay`, varied by ±20 %, capped, for at most `attempts` tries.
public struct RetryPolicy {
    public var attempts = 4
    public var initialDelay = 0.25
    public var maxDelay = 8.0
    /// A longer Retry-After than this fails at once rather than stall a pipeline.
    public var maxRetryAfter = 30.0
    /// Statuses retried for idempotent requests (EC2 also answers a transient InternalError with 500).
    public var transientStatuses: Set<Int> = [502, 503, 504]
    /// Replies that say the service refused before doing anything, retried for every method:
    /// 429 here; EC2 adds its RequestLimitExceeded, which comes as a 503.
    public var refusedBeforeWork: (HTTPResponse) -> Bool = { $0.status == 429 }

    public init() {}

    public func send(_ request: HTTPRequest, with transport: any HTTPTransport) throws(FabricError) -> HTTPResponse {
        try sendAll([request], with: transport)[0].get()
    }

    /// Sends the requests together, and those that may be sent again together again after the
    /// longest wait any of them asks for; each one's final outcome, in their order.
    public func sendAll(_ requests: [HTTPRequest], with transport: any HTTPTransport) -> [Result<HTTPResponse, FabricError>] {
        var outcomes = transport.sendAll(requests)
        var delays = Backoff(first: initialDelay, factor: 2, cap: maxDelay, jitter: 0.2)
        for _ in 1..<max(attempts, 1) {
            let delay = delays.next()
            var wait = 0.0
            let again = requests.indices.filter { index in
                guard let pause = pause(before: requests[index], after: outcomes[index], delay: delay) else { return false }
                wait = max(wait, pause)
                return true
            }
            guard !again.isEmpty else { break }
            sleep(seconds: wait)
            do { try Interruption.check() } catch {
                for index in again { outcomes[index] = .failure(error) }
                break
            }
            for (index, outcome) in zip(again, transport.sendAll(again.map { requests[$0] })) { outcomes[index] = outcome }
        }
        return outcomes
    }

    /// How long to wait before sending the request again, or nil when its outcome is final.
    private func pause(before request: HTTPRequest, after outcome: Result<HTTPResponse, FabricError>, delay: Double) -> Double? {
        switch outcome {
        case .failure(let error):
            return request.isIdempotent && error.kind != .interrupted ? delay : nil
        case .success(let response):
            guard refusedBeforeWork(response) || (request.isIdempotent && transientStatuses.contains(response.status)) else {
                return nil
            }
            guard let after = response.header("Retry-After").flatMap(Double.init) else { return delay }
            return after <= maxRetryAfter ? max(delay, after) : nil
        }
    }
}
