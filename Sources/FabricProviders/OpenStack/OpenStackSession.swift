import FabricHTTP
import FabricRecords
import FabricStore

/// One authenticated conversation with a cloud: the token and catalog, the transport and its
/// retry policy, the negotiated compute microversion. The token, its catalog and the
/// microversion are kept in the store and reused by the tools and commands that follow until
/// shortly before the token expires, so a pipeline logs in once; a token the cloud refuses
/// (401) is dropped and replaced once. Failures become FabricErrors carrying the HTTP status and
/// the service's own message.
final class OpenStackSession {
    let record: ProviderRecord
    let settings: OpenStackSettings
    private let transport: any HTTPTransport
    private let retry = RetryPolicy()
    private var token: String?
    private var endpoints: [String: String] = [:]
    private var computeVersion: Microversion.Version?
    private var computeMinimum: Microversion.Version = (2, 1)
    private let store: Store?
    private var tokenExpires = 0.0

    /// A cached token is used while it has this long left, so a run does not start on one that
    /// is about to expire.
    static let expiryMargin = 300.0

    /// `transport` is libcurl's unless a test gives its own.
    init(record: ProviderRecord, settings: OpenStackSettings, store: Store?,
         transport: (any HTTPTransport)? = nil) throws(FabricError) {
        self.record = record
        self.settings = settings
        self.store = store
        if let transport { self.transport = transport } else { self.transport = try CurlTransport(settings.transport) }
    }

    // MARK: the cached login

    private var credentials: String { credentialsDigest(record) }

    private func restoreCachedLogin() -> Bool {
        guard let cached = store?.cachedLogin(provider: record.id, credentials: credentials, margin: Self.expiryMargin),
              let catalog = cached.state["endpoints"], catalog.isObject else { return false }
        token = cached.token
        tokenExpires = cached.expires
        endpoints = Dictionary(catalog.fields.compactMap { field in field.value.string.map { (field.key, $0) } },
                               uniquingKeysWith: { first, _ in first })
        if let version = cached.state["compute"]?.string.flatMap(Microversion.parse),
           let minimum = cached.state["compute_minimum"]?.string.flatMap(Microversion.parse) {
            computeVersion = version
            computeMinimum = minimum
        }
        return true
    }

    private func saveLogin() {
        guard let store, let token else { return }
        let catalog = JSON.object()
        for (type, url) in endpoints { catalog[type] = JSON(url) }
        let state = JSON(["endpoints": catalog])
        if let computeVersion {
            state["compute"] = JSON(Microversion.text(computeVersion))
            state["compute_minimum"] = JSON(Microversion.text(computeMinimum))
        }
        store.saveLogin(CachedLogin(token: token, expires: tokenExpires, state: state), provider: record.id,
                        credentials: credentials)
    }

    // MARK: authentication

    private func authenticate() throws(FabricError) {
        if restoreCachedLogin() { return }
        let (url, version) = Identity.endpoint(for: record.url)
        let body = version == .v3 ? Identity.v3Body(record, settings) : Identity.v2Body(record, settings)
        var request = HTTPRequest("POST", url, json: body)
        request.safeToRepeat = true   // a second token does no harm
        let response = try retry.send(request, with: transport)
        guard response.status == 200 || response.status == 201 else {
            throw FabricError.provider("authentication at \(record.url) failed: HTTP \(response.status): \(response.serviceMessage)",
                                       hint: response.status == 401 ? "check the provider's user, password and tenant" : nil)
        }
        guard let json = response.json else {
            throw FabricError.provider("authentication at \(record.url): the reply is not valid JSON (\(response.body.count) bytes)")
        }
        token = version == .v3 ? response.header("X-Subject-Token") : json["access"]?["token"]?["id"]?.string
        guard token != nil else { throw FabricError.provider("authentication at \(record.url): no token in the reply") }
        endpoints = Identity.catalog(json, version: version, settings: settings)
        let expiry = version == .v3 ? json["token"]?["expires_at"]?.string : json["access"]?["token"]?["expires"]?.string
        tokenExpires = expiry.flatMap(parseISO8601) ?? now() + 3600
        saveLogin()
    }

    func endpoint(_ type: String) throws(FabricError) -> String {
        if token == nil { try authenticate() }
        guard var url = endpoints[type] else {
            throw FabricError.provider("the catalog of \(record.url) has no \(type) endpoint (interface \(settings.interface)"
                                       + (settings.region.map { ", region \($0)" } ?? "") + ")")
        }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    // MARK: compute microversion

    /// The microversion every compute request carries, negotiated once from the version document.
    func microversion() throws(FabricError) -> Microversion.Version {
        if let computeVersion { return computeVersion }
        let document = try call(.provider, "GET", Microversion.documentURL(compute: try endpoint("compute")))
        guard let range = document.flatMap(Microversion.supported) else {
            throw FabricError.provider("the compute version document of \(record.url) names no microversion")
        }
        computeMinimum = range.min
        var chosen = Microversion.less(range.max, Microversion.newestUnderstood) ? range.max : Microversion.newestUnderstood
        if let wanted = settings.computeMicroversion {
            guard !Microversion.less(wanted, range.min), !Microversion.less(range.max, wanted) else {
                throw FabricError.provider("compute_microversion \(Microversion.text(wanted)) is outside what the cloud offers "
                                           + "(\(Microversion.text(range.min)) to \(Microversion.text(range.max)))")
            }
            chosen = wanted
        }
        computeVersion = chosen
        saveLogin()
        return chosen
    }

    /// Whether the cloud still accepts a request at `version` (older than the one negotiated).
    func accepts(_ version: Microversion.Version) throws(FabricError) -> Bool {
        _ = try microversion()
        return !Microversion.less(version, computeMinimum)
    }

    // MARK: calls

    /// Sends a request and returns the reply's JSON (nil when empty). A 404 is returned as nil
    /// when `missingIsNil`; every other failure is an error of `kind`.
    @discardableResult
    func call(_ kind: FabricError.Kind, _ method: String, _ url: String, json: JSON? = nil, versioned: Bool = false,
              microversion override: Microversion.Version? = nil, missingIsNil: Bool = false,
              response: ((HTTPResponse) -> Void)? = nil) throws(FabricError) -> JSON? {
        let outcome = try callAll(kind, [Request(method, url, json: json)], versioned: versioned, microversion: override,
                                  missingIsNil: missingIsNil)[0]
        guard let reply = try outcome.get() else { return nil }
        response?(reply.response)
        return reply.json
    }

    /// A request of `callAll` or `stream`; a compute request (`versioned`) carries the
    /// negotiated microversion, or `microversion` when given.
    struct Request {
        let method: String, url: String, json: JSON?
        var versioned: Bool
        var microversion: Microversion.Version?
        init(_ method: String, _ url: String, json: JSON? = nil, versioned: Bool = false) {
            self.method = method
            self.url = url
            self.json = json
            self.versioned = versioned
        }
    }

    /// A successful reply and its JSON, nil when the body is empty.
    struct Reply {
        let response: HTTPResponse, json: JSON?
    }

    /// Sends requests that do not depend on each other's replies together (ten deletes take the
    /// time of one) and returns each one's reply, nil for a 404 when `missingIsNil`, or its
    /// error of `kind` (a body that is not JSON is one), in their order. Only a failure to log in
    /// is thrown: it fails them all.
    func callAll(_ kind: FabricError.Kind, _ requests: [Request], versioned: Bool = false,
                 microversion override: Microversion.Version? = nil,
                 missingIsNil: Bool = false) throws(FabricError) -> [Result<Reply?, FabricError>] {
        var outcomes = [Result<Reply?, FabricError>](repeating: .success(nil), count: requests.count)
        let marked = requests.map { request in
            var request = request
            request.versioned = request.versioned || versioned
            request.microversion = request.microversion ?? override
            return request
        }
        try stream(kind, marked, missingIsNil: missingIsNil) { number, outcome in
            outcomes[number] = outcome
            return []
        }
        return outcomes
    }

    /// Per-item pipelines of dependent requests over one batch: sends the requests together and
    /// hands each one's outcome (as `callAll` gives it) to `then` as soon as it comes, with its
    /// number; the requests given are numbered from 0 in their order, and those `then` returns
    /// on from there in the order returned, sent at once beside those still running. So a
    /// machine's server DELETE goes when its own addresses are released, not when another
    /// machine's slowest one is. Requests are sent again as the retry policy says, each on its
    /// own schedule, and those the cloud refuses with 401 again, once, with a new token once the
    /// others have ended. A failure to log in, or the first error `then` throws, is thrown once
    /// the requests running have ended; after such an error `then` is not called again.
    func stream(_ kind: FabricError.Kind, _ requests: [Request], missingIsNil: Bool = false,
                then: (Int, Result<Reply?, FabricError>) throws(FabricError) -> [Request]) throws(FabricError) {
        var all = requests
        var pending = Array(requests.indices)
        var reauthenticated = false
        var stopped: FabricError?
        while !pending.isEmpty {
            if token == nil { try authenticate() }
            var first: [StreamedRequest] = []
            for number in pending { first.append(StreamedRequest(try prepared(all[number]), tag: number)) }
            var refused: [Int] = []
            retry.stream(first, with: transport) { sent, outcome in
                if stopped != nil { return [] }
                if case .success(let reply) = outcome, reply.status == 401, !reauthenticated {
                    refused.append(sent.tag)
                    return []
                }
                do throws(FabricError) {
                    var followUps: [StreamedRequest] = []
                    for request in try then(sent.tag, Self.interpreted(outcome, of: all[sent.tag], kind: kind, missingIsNil: missingIsNil)) {
                        all.append(request)
                        followUps.append(StreamedRequest(try prepared(request), tag: all.count - 1))
                    }
                    return followUps
                } catch {
                    stopped = error
                    return []
                }
            }
            if let stopped { throw stopped }
            // The token was revoked or expired early: log in once more and send those again.
            if !refused.isEmpty {
                token = nil
                store?.dropLogin(provider: record.id)
                reauthenticated = true
            }
            pending = refused.sorted()
        }
    }

    /// The HTTP request for a session request: the token, and a compute request's microversion.
    private func prepared(_ request: Request) throws(FabricError) -> HTTPRequest {
        var sent = HTTPRequest(request.method, request.url, json: request.json)
        sent.headers.append(("X-Auth-Token", token!))
        let version: Microversion.Version? = if let override = request.microversion { override }
                                             else if request.versioned { try microversion() } else { nil }
        if let version {
            sent.headers.append(("OpenStack-API-Version", "compute " + Microversion.text(version)))
            sent.headers.append(("X-OpenStack-Nova-API-Version", Microversion.text(version)))
        }
        return sent
    }

    /// A reply as the session's callers see it: nil for a 404 when `missingIsNil`, an error of
    /// `kind` for any other failure or a body that is not JSON.
    private static func interpreted(_ outcome: Result<HTTPResponse, FabricError>, of request: Request, kind: FabricError.Kind,
                                    missingIsNil: Bool) -> Result<Reply?, FabricError> {
        let (method, url) = (request.method, request.url)
        switch outcome {
        case .failure(let error):
            return .failure(error)
        case .success(let reply) where reply.status == 404 && missingIsNil:
            return .success(nil)
        case .success(let reply) where !(200..<300).contains(reply.status):
            return .failure(FabricError(kind, "\(method) \(shortURL(url)) failed: HTTP \(reply.status): \(reply.serviceMessage)",
                                        httpStatus: reply.status))
        case .success(let reply) where reply.body.isEmpty:
            return .success(Reply(response: reply, json: nil))
        case .success(let reply):
            if let parsed = reply.json { return .success(Reply(response: reply, json: parsed)) }
            return .failure(FabricError(kind, "\(method) \(shortURL(url)): the reply is not valid JSON (\(reply.body.count) bytes)"))
        }
    }

    /// Every item of a paginated collection: Nova's `<key>_links` next, Glance's `next`.
    func collect(_ kind: FabricError.Kind, _ url: String, key: String, glanceRoot: String? = nil,
                 versioned: Bool = false) throws(FabricError) -> [JSON] {
        var items: [JSON] = []
        var next: String? = url
        var pages = 0
        while let page = next {
            pages += 1
            guard pages <= 1000 else { throw FabricError(kind, "\(Self.shortURL(url)): more than 1000 pages") }
            let json = try call(kind, "GET", page, versioned: versioned)
            items += json?[key]?.items ?? []
            next = nil
            if let link = json?[key + "_links"]?.items.first(where: { $0["rel"]?.string == "next" })?["href"]?.string {
                next = link
            } else if let glanceRoot, let relative = json?["next"]?.string {
                next = glanceRoot + relative
            }
        }
        return items
    }

    /// The URL without scheme and host, for messages.
    private static func shortURL(_ url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        return parts.count == 4 ? "/" + parts[3] : url
    }
}
