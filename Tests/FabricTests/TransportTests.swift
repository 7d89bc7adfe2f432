@testable import FabricCLI
@testable import FabricHTTP
@testable import FabricProviders
@testable import FabricRecords
@testable import FabricStore
import Testing

/// A transport that answers from a script and keeps what it was asked: the in-process tests'
/// stand-in for libcurl, for what is cheaper to check without a server.
final class RecordingTransport: HTTPTransport {
    private(set) var sent: [HTTPRequest] = []
    /// Each batch's requests, as sendAll received them.
    private(set) var batches: [[HTTPRequest]] = []
    private var replies: [Result<HTTPResponse, FabricError>]
    /// Answered when the script has run out.
    var fallback: Result<HTTPResponse, FabricError> = .success(HTTPResponse(status: 200, headers: [], body: []))

    init(_ replies: [Result<HTTPResponse, FabricError>] = []) { self.replies = replies }

    func sendAll(_ requests: [HTTPRequest]) -> [Result<HTTPResponse, FabricError>] {
        sent += requests
        batches.append(requests)
        return requests.map { _ in replies.isEmpty ? fallback : replies.removeFirst() }
    }

    static func reply(_ status: Int, _ body: String = "", headers: [(name: String, value: String)] = []) -> Result<HTTPResponse, FabricError> {
        .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }
}

/// The retry policy: which replies send a request again, and how often.
@Suite struct RetryPolicyTests {
    var policy: RetryPolicy {
        var policy = RetryPolicy()
        policy.initialDelay = 0.001
        policy.maxDelay = 0.001
        return policy
    }

    @Test func aTransientStatusIsRetriedForAnIdempotentRequestOnly() throws {
        let get = RecordingTransport([RecordingTransport.reply(503), RecordingTransport.reply(502), RecordingTransport.reply(200)])
        #expect(try policy.send(HTTPRequest("GET", "http://127.0.0.1/x"), with: get).status == 200)
        #expect(get.sent.count == 3)
        let post = RecordingTransport([RecordingTransport.reply(503)])
        #expect(try policy.send(HTTPRequest("POST", "http://127.0.0.1/servers"), with: post).status == 503)
        #expect(post.sent.count == 1, "a create that may have been carried out is never sent again")
    }

    @Test func a429IsRetriedForEveryMethodAndALongRetryAfterIsFinal() throws {
        let post = RecordingTransport([RecordingTransport.reply(429, headers: [("Retry-After", "0")]), RecordingTransport.reply(202)])
        #expect(try policy.send(HTTPRequest("POST", "http://127.0.0.1/servers"), with: post).status == 202)
        #expect(post.sent.count == 2)
        let patient = RecordingTransport([RecordingTransport.reply(429, headers: [("Retry-After", "3600")])])
        #expect(try policy.send(HTTPRequest("GET", "http://127.0.0.1/x"), with: patient).status == 429)
        #expect(patient.sent.count == 1, "a Retry-After past maxRetryAfter fails at once")
    }

    @Test func aFailedTransferIsRetriedOnlyWhenRepeatableAndAttemptsAreBounded() throws {
        let lost = RecordingTransport()
        lost.fallback = .failure(FabricError.provider("reset"))
        #expect(throws: FabricError.self) { try policy.send(HTTPRequest("DELETE", "http://127.0.0.1/x"), with: lost) }
        #expect(lost.sent.count == policy.attempts)
        let create = RecordingTransport()
        create.fallback = .failure(FabricError.provider("reset"))
        #expect(throws: FabricError.self) { try policy.send(HTTPRequest("POST", "http://127.0.0.1/x"), with: create) }
        #expect(create.sent.count == 1)
    }

    @Test func aBatchSendsAgainOnlyWhatNeedsIt() {
        let transport = RecordingTransport([RecordingTransport.reply(200), RecordingTransport.reply(503), RecordingTransport.reply(200)])
        let outcomes = policy.sendAll([HTTPRequest("GET", "http://127.0.0.1/a"), HTTPRequest("GET", "http://127.0.0.1/b")], with: transport)
        #expect(outcomes.compactMap { try? $0.get().status } == [200, 200])
        #expect(transport.batches.map { $0.map(\.url) } == [["http://127.0.0.1/a", "http://127.0.0.1/b"], ["http://127.0.0.1/b"]])
    }
}

/// What the EC2 session puts on the wire: the form-encoded query, the signing inputs libcurl
/// gets, the session token header, and EC2's throttling retried for every action.
@Suite struct EC2SessionTests {
    func session(_ transport: RecordingTransport, password: String = "Fab/Secret+key") throws -> EC2Session {
        let record = ProviderRecord(id: "aws", type: .amazon, username: "AKIAFABTEST", password: password,
                                    url: "http://127.0.0.1:9", tenant: "eu-west-3")
        return try EC2Session(record: record, settings: try AmazonSettings(extra: [("max_attempts", "2")]), transport: transport)
    }

    static let ok = RecordingTransport.reply(200, #"<?xml version="1.0"?><DescribeInstancesResponse><requestId>r</requestId></DescribeInstancesResponse>"#)

    @Test func aQueryIsAFormEncodedSignedPost() throws {
        let transport = RecordingTransport([Self.ok])
        var query = EC2Query("DescribeInstances")
        query.filter("tag:fabric_group", ["a b", "x&y=z/+"])
        _ = try session(transport, password: "Fab/Secret+key FwoGZX//token+").call(.machine, query)
        let request = try #require(transport.sent.first)
        #expect(request.method == "POST" && request.url == "http://127.0.0.1:9/")
        #expect(String(decoding: request.body ?? [], as: UTF8.self)
                == "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Afabric_group&Filter.1.Value.1=a%20b&Filter.1.Value.2=x%26y%3Dz%2F%2B")
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("application/x-www-form-urlencoded") })
        #expect(request.awsSigning?.scope == "aws:amz:eu-west-3:ec2")
        #expect(request.awsSigning?.accessKeyID == "AKIAFABTEST" && request.awsSigning?.secretAccessKey == "Fab/Secret+key")
        #expect(request.headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == "FwoGZX//token+" })
        #expect(request.isIdempotent, "a Describe may be sent again")
    }

    @Test func throttlingIsRetriedEvenForAnActionThatMayNotBeRepeated() throws {
        let throttled = RecordingTransport.reply(503, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message></Error></Errors></Response>")
        let transport = RecordingTransport([throttled, Self.ok])
        _ = try session(transport).call(.machine, EC2Query("AllocateAddress"))
        #expect(transport.sent.count == 2)
        let unavailable = RecordingTransport([RecordingTransport.reply(503, "<Response><Errors><Error><Code>Unavailable</Code><Message>m</Message></Error></Errors></Response>")])
        #expect(throws: FabricError.self) { try session(unavailable).call(.machine, EC2Query("AllocateAddress")) }
        #expect(unavailable.sent.count == 1, "AllocateAddress may have been carried out: not sent again")
    }
}
