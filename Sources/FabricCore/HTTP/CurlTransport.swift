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

/// One libcurl easy handle for the whole process, so connections (and TLS sessions) are reused
/// from one request to the next. Proxies come from the usual environment variables, as libcurl
/// reads them itself. A repeatable transfer ends early when SIGINT, SIGTERM or SIGHUP arrives.
public final class CurlTransport {
    private let handle: UnsafeMutableRawPointer
    private let settings: TransportSettings

    public init(_ settings: TransportSettings) throws(FabricError) {
        guard let handle = curl_easy_init() else {
            let why = fabric_curl_load_error().map { String(cString: $0) } ?? "curl_easy_init failed"
            throw FabricError.provider("cannot use libcurl: \(why)")
        }
        self.handle = handle
        self.settings = settings
        if settings.insecure {
            warn("TLS certificate verification is off for this provider (extra insecure=true)")
        }
    }

    deinit { curl_easy_cleanup(handle) }

    /// Collects what libcurl hands over; passed to the C callbacks as their user pointer.
    private final class Exchange {
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []
    }

    /// Sends one request. Transport failures (no connection, timeout, reset) are ProviderErrors
    /// naming the URL and libcurl's reason; any HTTP status is a response, not an error.
    public func send(_ request: HTTPRequest) throws(FabricError) -> HTTPResponse {
        curl_easy_reset(handle)
        let exchange = Exchange()
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        fabric_curl_set_string(handle, CURLOPT_URL, request.url)
        fabric_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        fabric_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(settings.timeoutSeconds * 1000))
        fabric_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeoutSeconds * 1000))
        if let caFile = settings.caFile { fabric_curl_set_string(handle, CURLOPT_CAINFO, caFile) }
        if settings.insecure {
            fabric_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            fabric_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        // libcurl quietly sends a request again when a reused connection turns out closed; for a
        // request that must not be repeated (a server create) take a fresh connection instead.
        if !request.isIdempotent { fabric_curl_set_long(handle, CURLOPT_FRESH_CONNECT, 1) }
        // libcurl signs (no cryptography of ours); the key pair goes in as options, never as text
        // anything prints. An older libcurl refuses the option: say so rather than send unsigned.
        if let signing = request.awsSigning {
            guard fabric_curl_set_string(handle, CURLOPT_AWS_SIGV4, signing.scope) == CURLE_OK else {
                throw FabricError.provider("this libcurl cannot sign AWS requests (CURLOPT_AWS_SIGV4 needs libcurl 7.75 or later)")
            }
            fabric_curl_set_string(handle, CURLOPT_USERNAME, signing.accessKeyID)
            fabric_curl_set_string(handle, CURLOPT_PASSWORD, signing.secretAccessKey)
        }
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
        defer { curl_slist_free_all(list) }
        fabric_curl_set_slist(handle, CURLOPT_HTTPHEADER, list)
        fabric_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
        fabric_curl_set_write(handle) { data, size, count, context in
            let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data { exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length)) }
            return length
        }
        fabric_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)
        fabric_curl_set_header(handle) { data, size, count, context in
            let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
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
        // A signal ends a transfer that can simply be sent again. One that creates something
        // (a server, an image, an address) runs to its reply, bounded by the timeout, so the
        // rollback that follows knows what was made: abandoned, the cloud made it unseen.
        fabric_curl_set_long(handle, CURLOPT_NOPROGRESS, request.isIdempotent ? 0 : 1)
        if request.isIdempotent {
            fabric_curl_set_progress(handle) { _, _, _, _, _ in Interruption.requested ? 1 : 0 }
        }

        let started = monotonicNow()
        Trace.request(request)
        let code: CURLcode = if let body = request.body {
            body.withUnsafeBytes { bytes in
                fabric_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, bytes.count)
                fabric_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                return curl_easy_perform(handle)
            }
        } else {
            curl_easy_perform(handle)
        }
        if code == CURLE_ABORTED_BY_CALLBACK { try Interruption.check() }
        guard code == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(code))
            Trace.failure(request, reason)
            throw FabricError.provider("\(request.method) \(Trace.redactedURL(request.url)) failed: \(reason)")
        }
        var status = 0
        fabric_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let response = HTTPResponse(status: status, headers: exchange.headers, body: exchange.body)
        Trace.response(request, response, seconds: monotonicNow() - started)
        return response
    }
}
