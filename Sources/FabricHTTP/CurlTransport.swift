import FabricRecords
import CCurl
import Glibc

/// How a transport reaches a service: certificate checks, timeouts.
public struct TransportSettings {
    public var caFile: String?
    public var insecure = false
    public var timeoutSeconds: Double = 60
    public var connectTimeoutSeconds: Double = 10
    public init() {}
}

/// One libcurl multi handle for the whole process: connections (and TLS sessions) are kept in
/// its pool and reused from one request to the next, and requests that do not depend on each
/// other go out together (`sendAll`): ten floating-IP deletes of 0.4 s each take 0.4 s, not 4.
/// Proxies come from the usual environment variables, as libcurl reads them itself. A
/// repeatable transfer ends early when SIGINT, SIGTERM or SIGHUP arrives.
public final class CurlTransport: HTTPTransport {
    private let multi: UnsafeMutableRawPointer
    /// Easy handles of finished transfers, kept for the next ones.
    private var idle: [UnsafeMutableRawPointer] = []
    private let settings: TransportSettings
    /// At most this many connections to one host at once; libcurl queues the other transfers.
    static let connectionsPerHost = 8

    public init(_ settings: TransportSettings) throws(FabricError) {
        guard let multi = curl_multi_init() else {
            let why = fabric_curl_load_error().map { String(cString: $0) } ?? "curl_multi_init failed"
            throw FabricError.provider("cannot use libcurl: \(why)")
        }
        self.multi = multi
        self.settings = settings
        fabric_curl_multi_set_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, Self.connectionsPerHost)
        if settings.insecure {
            warn("TLS certificate verification is off for this provider (extra insecure=true)")
        }
    }

    deinit {
        idle.forEach(curl_easy_cleanup)
        curl_multi_cleanup(multi)
    }

    /// One request on its way: what libcurl hands over comes here (the C callbacks' user
    /// pointer), and what the transfer needs stays alive until it ends.
    private final class Transfer {
        let streamed: StreamedRequest
        var request: HTTPRequest { streamed.request }
        let handle: UnsafeMutableRawPointer
        var headerList: UnsafeMutablePointer<curl_slist>?
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []
        /// libcurl's result, once the transfer has ended.
        var code: CURLcode?
        /// Why the transfer was not started.
        var refused: FabricError?
        var started = 0.0
        /// When libcurl reported it done: a batch's trace shows each request's own time.
        var finished: Double?
        init(_ streamed: StreamedRequest, _ handle: UnsafeMutableRawPointer) { self.streamed = streamed; self.handle = handle }
        deinit { curl_slist_free_all(headerList) }
    }

    /// Transport failures are ProviderErrors naming the URL and libcurl's reason.
    public func sendAll(_ requests: [HTTPRequest]) -> [Result<HTTPResponse, FabricError>] {
        var outcomes = [Result<HTTPResponse, FabricError>](repeating: .failure(FabricError.provider("not sent")), count: requests.count)
        stream(requests.enumerated().map { StreamedRequest($1, tag: $0) }) { request, outcome in
            outcomes[request.tag] = outcome
            return []
        }
        return outcomes
    }

    /// Each transfer is handed over as libcurl reports it done, and what follows it is added to
    /// the multi handle beside those still running. A stream run from `finished` (a new token)
    /// drives the same multi handle, so an end is recorded on its transfer (`running`) by
    /// whichever stream reads it, and each stream hands over only its own.
    public func stream(_ requests: [StreamedRequest],
                       finished: (StreamedRequest, Result<HTTPResponse, FabricError>) -> [StreamedRequest]) {
        var waiting = requests.map { (request: $0, due: monotonicNow() + $0.delay) }
        var mine: [Transfer] = []
        while !waiting.isEmpty || !mine.isEmpty {
            var ended: [(StreamedRequest, Result<HTTPResponse, FabricError>)] = []
            let now = monotonicNow()
            let due = waiting.filter { $0.due <= now }
            waiting.removeAll { $0.due <= now }
            for (request, _) in due {
                if let interruption = request.interruptedWhileWaiting {
                    ended.append((request, .failure(interruption)))
                } else {
                    switch start(request) {
                    case .success(let transfer): mine.append(transfer)
                    case .failure(let refused): ended.append((request, .failure(refused)))
                    }
                }
            }
            if ended.isEmpty && !mine.isEmpty {
                var active: Int32 = 0
                // A multi handle that fails ends every transfer of the stream: libcurl did not finish them.
                let performed = curl_multi_perform(multi, &active) == CURLM_OK
                readEnds()
                let done = mine.filter { $0.code != nil || !performed }
                mine.removeAll { $0.code != nil || !performed }
                for transfer in done { ended.append((transfer.streamed, finish(transfer))) }
            }
            if ended.isEmpty {
                let nextDue = waiting.map(\.due).min().map { max(0, $0 - monotonicNow()) } ?? 0.1
                let milliseconds = Int32(min(nextDue, 0.1) * 1000)
                if mine.isEmpty { sleep(seconds: Double(milliseconds) / 1000) } else { curl_multi_poll(multi, nil, 0, milliseconds, nil) }
            }
            for (request, outcome) in ended {
                waiting += finished(request, outcome).map { ($0, monotonicNow() + $0.delay) }
            }
        }
    }

    /// The transfers added to the multi handle and not yet ended, by easy handle.
    private var running: [UnsafeMutableRawPointer: Transfer] = [:]

    /// Records on its transfer every end libcurl reports.
    private func readEnds() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                  let transfer = running.removeValue(forKey: handle) else { continue }
            transfer.code = fabric_curl_message_result(message)
            transfer.finished = monotonicNow()
        }
    }

    /// An easy handle set up for the request and added to the multi handle, or why not.
    private func start(_ request: StreamedRequest) -> Result<Transfer, FabricError> {
        guard let handle = idle.popLast() ?? curl_easy_init() else {
            let why = fabric_curl_load_error().map { String(cString: $0) } ?? "curl_easy_init failed"
            return .failure(FabricError.provider("cannot use libcurl: \(why)"))
        }
        let transfer = Transfer(request, handle)
        configure(transfer)
        if let refused = transfer.refused {
            idle.append(handle)
            return .failure(refused)
        }
        transfer.started = monotonicNow()
        Trace.request(transfer.request)
        running[handle] = transfer
        curl_multi_add_handle(multi, handle)
        return .success(transfer)
    }

    /// The transfer's outcome; its easy handle goes back to the idle ones.
    private func finish(_ transfer: Transfer) -> Result<HTTPResponse, FabricError> {
        let outcome = outcome(transfer)
        running[transfer.handle] = nil
        curl_multi_remove_handle(multi, transfer.handle)
        idle.append(transfer.handle)
        return outcome
    }

    private func outcome(_ transfer: Transfer) -> Result<HTTPResponse, FabricError> {
        let request = transfer.request
        if let refused = transfer.refused { return .failure(refused) }
        if transfer.code == CURLE_ABORTED_BY_CALLBACK {
            do { try Interruption.check() } catch { return .failure(error) }
        }
        guard transfer.code == CURLE_OK else {
            let reason = transfer.code.map { String(cString: curl_easy_strerror($0)) } ?? "libcurl did not finish the transfer"
            Trace.failure(request, reason)
            return .failure(FabricError.provider("\(request.method) \(Trace.redactedURL(request.url)) failed: \(reason)"))
        }
        var status = 0
        fabric_curl_get_long(transfer.handle, CURLINFO_RESPONSE_CODE, &status)
        let response = HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
        Trace.response(request, response, seconds: (transfer.finished ?? monotonicNow()) - transfer.started)
        return .success(response)
    }

    /// Sets up the easy handle for one transfer, step by step; a step that cannot be done
    /// marks the transfer refused and the rest are skipped.
    private func configure(_ transfer: Transfer) {
        curl_easy_reset(transfer.handle)
        setConnection(transfer)
        guard setSigning(transfer) else { return }
        setMethodAndHeaders(transfer)
        setReceivers(transfer)
        setInterruption(transfer)
        setBody(transfer)
    }

    /// Where to, how long to wait, which certificates to trust, and whether a reused connection will do.
    private func setConnection(_ transfer: Transfer) {
        let handle = transfer.handle, request = transfer.request
        fabric_curl_set_string(handle, CURLOPT_URL, request.url)
        fabric_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        fabric_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(settings.timeoutSeconds * 1000))
        fabric_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeoutSeconds * 1000))
        fabric_curl_set_string(handle, CURLOPT_USERAGENT, "fabric/\(fabricVersion)")
        if let caFile = settings.caFile { fabric_curl_set_string(handle, CURLOPT_CAINFO, caFile) }
        if settings.insecure {
            fabric_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            fabric_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        // libcurl quietly sends a request again when a reused connection turns out closed; for a
        // request that must not be repeated (a server create) take a fresh connection instead.
        if !request.isIdempotent { fabric_curl_set_long(handle, CURLOPT_FRESH_CONNECT, 1) }
    }

    /// libcurl signs (no cryptography of ours); the key pair goes in as options, never as text
    /// anything prints. An older libcurl refuses the option: say so rather than send unsigned.
    /// False when the transfer was refused.
    private func setSigning(_ transfer: Transfer) -> Bool {
        guard let signing = transfer.request.awsSigning else { return true }
        let handle = transfer.handle
        guard fabric_curl_set_string(handle, CURLOPT_AWS_SIGV4, signing.scope) == CURLE_OK else {
            transfer.refused = FabricError.provider("this libcurl cannot sign AWS requests (CURLOPT_AWS_SIGV4 needs libcurl 7.75 or later)")
            return false
        }
        fabric_curl_set_string(handle, CURLOPT_USERNAME, signing.accessKeyID)
        fabric_curl_set_string(handle, CURLOPT_PASSWORD, signing.secretAccessKey)
        return true
    }

    private func setMethodAndHeaders(_ transfer: Transfer) {
        let handle = transfer.handle, request = transfer.request
        switch request.method {
        case "GET": fabric_curl_set_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": fabric_curl_set_long(handle, CURLOPT_NOBODY, 1)
        default: fabric_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in request.headers { list = curl_slist_append(list, "\(name): \(value)") }
        if request.body == nil && request.method != "GET" && request.method != "HEAD" {
            list = curl_slist_append(list, "Content-Length: 0")
        }
        transfer.headerList = list
        fabric_curl_set_slist(handle, CURLOPT_HTTPHEADER, list)
    }

    /// The reply's body and headers go into the transfer (the C callbacks' user pointer).
    private func setReceivers(_ transfer: Transfer) {
        let handle = transfer.handle
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        fabric_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
        fabric_curl_set_write(handle) { data, size, count, context in
            let exchange = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data { exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length)) }
            return length
        }
        fabric_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)
        fabric_curl_set_header(handle) { data, size, count, context in
            let exchange = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard let data else { return length }
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                exchange.headers.removeAll()   // a new response (after 100 Continue or a redirect)
            } else if let colon = line.firstIndex(of: ":") {
                let name = String(line[..<colon])
                let value = String(String(line[line.index(after: colon)...]).trimmingSpaces)
                exchange.headers.append((name, value))
            }
            return length
        }
    }

    /// A signal ends a transfer that can simply be sent again. One that creates something
    /// (a server, an image, an address) runs to its reply, bounded by the timeout, so the
    /// rollback that follows knows what was made: abandoned, the cloud made it unseen.
    private func setInterruption(_ transfer: Transfer) {
        let handle = transfer.handle, repeatable = transfer.request.isIdempotent
        fabric_curl_set_long(handle, CURLOPT_NOPROGRESS, repeatable ? 0 : 1)
        if repeatable {
            fabric_curl_set_progress(handle) { _, _, _, _, _ in Interruption.requested ? 1 : 0 }
        }
    }

    private func setBody(_ transfer: Transfer) {
        guard let body = transfer.request.body else { return }
        let handle = transfer.handle
        fabric_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
        body.withUnsafeBytes { bytes in
            // Copied by libcurl: the transfer outlives this call.
            _ = fabric_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
    }
}
