import FabricRecords

/// One HTTP request as the OpenStack layer builds it; the transport knows nothing of OpenStack.
public struct HTTPRequest {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Set for a POST that may be sent twice without harm (asking Keystone for a token).
    public var safeToRepeat = false
    /// True for requests a client may repeat without doing the work twice (GET, DELETE, HEAD,
    /// or marked safe), the only ones retried after a failure whose outcome is unknown.
    public var isIdempotent: Bool { safeToRepeat || method == "GET" || method == "DELETE" || method == "HEAD" }
    /// Set to have libcurl sign the request with AWS Signature V4; never traced.
    public var awsSigning: AWSSigning?

    public init(_ method: String, _ url: String, headers: [(name: String, value: String)] = [], json: JSON? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        if let json {
            body = Array(json.encoded().utf8)
            self.headers.append(("Content-Type", "application/json"))
        }
        self.headers.append(("Accept", "application/json"))
    }

    /// A request with a body of another type (EC2's form-encoded queries).
    public init(_ method: String, _ url: String, body: [UInt8], contentType: String) {
        self.method = method
        self.url = url
        self.body = body
        headers = [("Content-Type", contentType)]
    }
}

/// What libcurl needs to sign a request (CURLOPT_AWS_SIGV4): the scope "aws:amz:REGION:SERVICE"
/// and the access key pair. A session token is not here: it travels as X-Amz-Security-Token.
public struct AWSSigning {
    public var scope: String
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(scope: String, accessKeyID: String, secretAccessKey: String) {
        self.scope = scope
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }
}

public struct HTTPResponse {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as JSON, or nil when it is empty or not JSON.
    public var json: JSON? {
        guard !body.isEmpty else { return nil }
        return try? JSON.parse(text)
    }

    /// The service's own words for a failure: Nova `{"badRequest": {"message"}}` and its kin,
    /// Keystone `{"error": {"message"}}`, Neutron `{"NeutronError": {"message"}}`, or Glance's text.
    public var serviceMessage: String {
        if let json = json, json.isObject {
            for (_, value) in json.fields {
                if let message = value["message"]?.string { return message }
            }
            if let message = json["message"]?.string { return message }
            if let description = json["error_description"]?.string { return description }
        }
        let lines = text.split(separator: "\n").map { String(String($0).trimmingSpaces) }.filter { !$0.isEmpty }
        let meaningful = lines.count > 1 ? lines.dropFirst().joined(separator: " ") : lines.first ?? ""
        return meaningful.isEmpty ? "no message" : String(meaningful.prefix(300))
    }
}
