import FabricHTTP
import FabricRecords

/// What EC2 said when it refused a request: its own <Code> and <Message>, and the HTTP status.
struct EC2Failure: Error {
    let status: Int
    let code: String
    let message: String

    /// The first <Error> of an EC2 error reply (<Response><Errors><Error>), or nil when the body
    /// is not one.
    init?(_ response: HTTPResponse) {
        guard let tree = try? XMLTree.parse(response.body).get(),
              let error = tree.descendants(named: "Error").first, let code = error.text("Code") else { return nil }
        status = response.status
        self.code = code
        message = error.text("Message") ?? "no message"
    }

    init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    var isThrottling: Bool { ["RequestLimitExceeded", "Throttling", "ThrottlingException"].contains(code) }
}

/// One signed conversation with an EC2 endpoint: the transport (libcurl, which signs each request
/// with AWS Signature V4), the retry policy, and EC2's replies read as XML. Failures become
/// FabricErrors that carry EC2's own code and message.
final class EC2Session {
    let record: ProviderRecord
    let settings: AmazonSettings
    let endpoint: String
    private let transport: any HTTPTransport
    private let retry: RetryPolicy
    private let signing: AWSSigning
    private let sessionToken: String?

    /// `transport` is libcurl's unless a test gives its own.
    init(record: ProviderRecord, settings: AmazonSettings, transport: (any HTTPTransport)? = nil) throws(FabricError) {
        self.record = record
        self.settings = settings
        let credentials = try AmazonCredentials(record: record)
        signing = AWSSigning(scope: "aws:amz:\(record.tenant):ec2", accessKeyID: credentials.accessKeyID,
                            secretAccessKey: credentials.secretAccessKey)
        sessionToken = credentials.sessionToken
        endpoint = record.url.hasSuffix("/") ? record.url : record.url + "/"
        if let transport { self.transport = transport } else { self.transport = try CurlTransport(settings.transport) }
        var retry = RetryPolicy()
        retry.attempts = settings.maxAttempts
        // EC2 answers a transient InternalError with 500 and throttles with RequestLimitExceeded
        // (a 503), which it refuses before doing anything, so that is retried for every action.
        retry.transientStatuses = [500, 502, 503, 504]
        retry.refusedBeforeWork = { $0.status == 429 || ($0.status == 503 && EC2Failure($0)?.isThrottling == true) }
        self.retry = retry
    }

    /// Sends a query; the reply's XML, or EC2's refusal as a value. Transport failures (no
    /// connection, timeout, reset after the retries) are thrown as ProviderErrors.
    func send(_ query: EC2Query) throws(FabricError) -> Result<XMLTree, EC2Failure> {
        var request = HTTPRequest("POST", endpoint, body: query.body, contentType: "application/x-www-form-urlencoded; charset=utf-8")
        request.safeToRepeat = query.safeToRepeat
        request.awsSigning = signing
        if let sessionToken { request.headers.append(("X-Amz-Security-Token", sessionToken)) }
        let response: HTTPResponse
        do throws(FabricError) {
            response = try retry.send(request, with: transport)
        } catch where error.kind == .provider {
            throw FabricError.provider("EC2 \(query.action): \(error.message)", hint: error.hint)
        }
        if (200..<300).contains(response.status) {
            switch XMLTree.parse(response.body) {
            case .success(let tree): return .success(tree)
            case .failure(let error):
                throw FabricError.provider("EC2 \(query.action): the reply is not XML (\(error.reason), line \(error.line), \(response.body.count) bytes)")
            }
        }
        return .failure(EC2Failure(response) ?? EC2Failure(status: response.status, code: "HTTP \(response.status)",
                                                           message: response.serviceMessage))
    }

    /// Sends a query and returns its reply; a refusal is an error of `kind` naming EC2's code and
    /// message, except the codes in `tolerating`, for which it returns nil.
    @discardableResult
    func call(_ kind: FabricError.Kind, _ query: EC2Query, tolerating: Set<String> = []) throws(FabricError) -> XMLTree? {
        switch try send(query) {
        case .success(let tree): return tree
        case .failure(let failure):
            if tolerating.contains(failure.code) { return nil }
            throw error(kind, query, failure)
        }
    }

    /// The error a refusal becomes: authentication failures are the provider's, the rest `kind`.
    func error(_ kind: FabricError.Kind, _ query: EC2Query, _ failure: EC2Failure) -> FabricError {
        let text = "EC2 \(query.action) failed: \(failure.code): \(failure.message)"
        switch failure.code {
        case "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken":
            return FabricError.provider(text, hint: "check the provider's access key id, secret access key and region (\(record.tenant))")
        case "RequestExpired", "ExpiredToken":
            return FabricError.provider(text, hint: "the session token has expired: register the provider again with fresh credentials")
        case "UnauthorizedOperation":
            return FabricError.provider(text, hint: "the access key may not \(query.action); grant it in IAM")
        default:
            return FabricError(kind, text)
        }
    }

    /// Every `<item>` of the set named `set` across all pages (NextToken), in order.
    /// A refusal whose code is in `tolerating` ends the listing with what it has.
    func collect(_ kind: FabricError.Kind, _ query: EC2Query, set: String, pageSize: Int? = nil,
                 tolerating: Set<String> = []) throws(FabricError) -> [XMLTree] {
        var items: [XMLTree] = []
        var token: String?
        var pages = 0
        repeat {
            pages += 1
            guard pages <= 1000 else { throw FabricError(kind, "EC2 \(query.action): more than 1000 pages") }
            var page = query
            if let pageSize { page.set("MaxResults", pageSize) }
            if let token { page.set("NextToken", token) }
            guard let reply = try call(kind, page, tolerating: tolerating) else { break }
            items += reply.items(set)
            token = reply.text("nextToken")
        } while token != nil
        return items
    }

    /// Sends a query that creates something and must be followed to its reply: a signal does not
    /// cut the transfer short (the caller checks for it after), so what it made is known.
    func create(_ kind: FabricError.Kind, _ query: EC2Query) -> Result<Result<XMLTree, EC2Failure>, FabricError> {
        Interruption.cleaningUp {
            do throws(FabricError) { return .success(try send(query)) } catch { return .failure(error) }
        }
    }
}

/// The tags of an EC2 resource (`tagSet`), in order.
func ec2Tags(_ item: XMLTree) -> [(key: String, value: String)] {
    item.items("tagSet").compactMap { tag in tag.text("key").map { ($0, tag.text("value") ?? "") } }
}
