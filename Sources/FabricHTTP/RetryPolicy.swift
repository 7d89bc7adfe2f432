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

    /// Sends the requests together, each one sent again on its own schedule as it needs; each
    /// one's final outcome, in their order.
    public func sendAll(_ requests: [HTTPRequest], with transport: any HTTPTransport) -> [Result<HTTPResponse, FabricError>] {
        var outcomes = [Result<HTTPResponse, FabricError>](repeating: .failure(FabricError.provider("not sent")), count: requests.count)
        stream(requests.enumerated().map { StreamedRequest($1, tag: $0) }, with: transport) { request, outcome in
            outcomes[request.tag] = outcome
            return []
        }
        return outcomes
    }

    /// The transport's stream, each request sent again after its own pause as this policy says
    /// (a pause of one does not hold back the others): `finished` sees only final outcomes.
    public func stream(_ requests: [StreamedRequest], with transport: any HTTPTransport,
                       finished: (StreamedRequest, Result<HTTPResponse, FabricError>) -> [StreamedRequest]) {
        var retries: [Int: (sent: Int, delays: Backoff)] = [:]
        transport.stream(requests) { request, outcome in
            var tries = retries[request.tag] ?? (1, Backoff(first: initialDelay, factor: 2, cap: maxDelay, jitter: 0.2))
            if tries.sent < attempts, let pause = pause(before: request.request, after: outcome, delay: tries.delays.next()) {
                tries.sent += 1
                retries[request.tag] = tries
                return [StreamedRequest(request.request, tag: request.tag, delay: pause)]
            }
            retries[request.tag] = nil
            return finished(request, outcome)
        }
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
