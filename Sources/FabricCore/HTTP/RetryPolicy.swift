import Glibc

/// When a request is sent again. A 429 (the service refused before doing anything) is retried
/// for every method, honouring Retry-After; a 503, a 502/504 and a failed transfer only for
/// idempotent requests, since a POST that creates servers may have been carried out.
/// Backoff doubles from `initialDelay` with jitter, capped, for at most `attempts` tries.
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

    public func send(_ request: HTTPRequest, with transport: CurlTransport) throws(FabricError) -> HTTPResponse {
        var delay = initialDelay
        var attempt = 1
        while true {
            let outcome: Result<HTTPResponse, FabricError>
            do { outcome = .success(try transport.send(request)) } catch { outcome = .failure(error) }
            guard attempt < attempts else { return try outcome.get() }
            switch outcome {
            case .failure(let error):
                guard request.isIdempotent, error.kind != .interrupted else { throw error }
            case .success(let response):
                let transient = refusedBeforeWork(response)
                    || (request.isIdempotent && transientStatuses.contains(response.status))
                guard transient else { return response }
                if let after = response.header("Retry-After").flatMap(Double.init) {
                    guard after <= maxRetryAfter else { return response }
                    delay = max(delay, after)
                }
            }
            let jittered = delay * (0.8 + 0.4 * Double.random(in: 0...1))
            sleep(seconds: jittered)
            try Interruption.check()
            delay = min(delay * 2, maxDelay)
            attempt += 1
        }
    }
}
