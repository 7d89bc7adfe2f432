import FabricRecords

/// What sends HTTP requests for a provider's session: libcurl (CurlTransport) in the tools, a
/// recording stand-in in the in-process tests, so a request's body, query and signing inputs
/// and the retry policy can be checked without a server.
public protocol HTTPTransport: AnyObject {
    /// Sends the requests together and returns each one's outcome, in their order, once all
    /// have ended: for requests that do not depend on each other's replies.
    func sendAll(_ requests: [HTTPRequest]) -> [Result<HTTPResponse, FabricError>]

    /// Sends the requests together and hands each one's outcome to `finished` as soon as it
    /// ends; what `finished` returns joins the requests still running, after its own delay.
    /// Returns once none is left. So a request that depends on another's reply goes out when
    /// that reply comes, not when the slowest request of a batch ends. `finished` may send
    /// through this transport itself (a new token, the microversion).
    func stream(_ requests: [StreamedRequest],
                finished: (StreamedRequest, Result<HTTPResponse, FabricError>) -> [StreamedRequest])
}

/// A request of a stream, with the number its sender knows it by (unique among those running)
/// and how long it waits before it goes out (a retry's pause).
public struct StreamedRequest {
    public var request: HTTPRequest
    public var tag: Int
    public var delay: Double
    public init(_ request: HTTPRequest, tag: Int, delay: Double = 0) {
        self.request = request
        self.tag = tag
        self.delay = delay
    }

    /// A request that waited (a retry) is not sent once an interruption has come: it fails so.
    var interruptedWhileWaiting: FabricError? {
        guard delay > 0 else { return nil }
        do { try Interruption.check() } catch { return error }
        return nil
    }
}

extension HTTPTransport {
    /// Sends one request. Transport failures (no connection, timeout, reset) are ProviderErrors;
    /// any HTTP status is a response, not an error.
    public func send(_ request: HTTPRequest) throws(FabricError) -> HTTPResponse {
        try sendAll([request])[0].get()
    }

    /// A stream in rounds, for a transport that sends a batch at a time (the in-process tests'
    /// stand-in): each round is what the last one returned, sent after its longest delay.
    public func stream(_ requests: [StreamedRequest],
                       finished: (StreamedRequest, Result<HTTPResponse, FabricError>) -> [StreamedRequest]) {
        var round = requests
        while !round.isEmpty {
            if let pause = round.map(\.delay).max(), pause > 0 { sleep(seconds: pause) }
            var next: [StreamedRequest] = []
            var sending: [StreamedRequest] = []
            for request in round {
                if let interruption = request.interruptedWhileWaiting {
                    next += finished(request, .failure(interruption))
                } else {
                    sending.append(request)
                }
            }
            for (request, outcome) in zip(sending, sendAll(sending.map(\.request))) { next += finished(request, outcome) }
            round = next
        }
    }
}
