import FabricRecords

/// What sends HTTP requests for a provider's session: libcurl (CurlTransport) in the tools, a
/// recording stand-in in the in-process tests, so a request's body, query and signing inputs
/// and the retry policy can be checked without a server.
public protocol HTTPTransport: AnyObject {
    /// Sends the requests together and returns each one's outcome, in their order, once all
    /// have ended: for requests that do not depend on each other's replies.
    func sendAll(_ requests: [HTTPRequest]) -> [Result<HTTPResponse, FabricError>]
}

extension HTTPTransport {
    /// Sends one request. Transport failures (no connection, timeout, reset) are ProviderErrors;
    /// any HTTP status is a response, not an error.
    public func send(_ request: HTTPRequest) throws(FabricError) -> HTTPResponse {
        try sendAll([request])[0].get()
    }
}
