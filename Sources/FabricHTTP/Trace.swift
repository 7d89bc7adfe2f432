import FabricRecords
import Glibc

/// The `FABRIC_DEBUG` (wrapper: `--verbose`) trace of every request on stderr. Tokens,
/// passwords and secrets never reach it: token headers are replaced, and any body that names a
/// credential is summarised instead of printed.
enum Trace {
    static let enabled: Bool = {
        guard let value = environment("FABRIC_DEBUG") else { return false }
        return !value.isEmpty && value != "0"
    }()

    private static let secretHeaders: Set<String> = ["x-auth-token", "x-subject-token", "authorization", "x-amz-security-token"]
    /// Words of bodies that carry credentials; the last ones are AWS query-string signing's
    /// (a body or URL signed that way holds the key id, the token and the signature).
    private static let secretWords = ["password", "secret", "adminpass", "\"token\"", "passwordcredentials",
                                      "x-amz-security-token", "x-amz-signature", "x-amz-credential", "awsaccesskeyid"]

    static func request(_ request: HTTPRequest) {
        guard enabled else { return }
        var lines = ["> \(request.method) \(redactedURL(request.url))"]
        for (name, value) in request.headers {
            lines.append("> \(name): \(secretHeaders.contains(name.lowercased()) ? "<redacted>" : value)")
        }
        if let body = request.body { lines.append("> " + redactedBody(body)) }
        write(lines)
    }

    static func response(_ request: HTTPRequest, _ response: HTTPResponse, seconds: Double) {
        guard enabled else { return }
        var lines = ["< \(response.status) \(request.method) \(redactedURL(request.url)) (\(Int(seconds * 1000)) ms)"]
        for (name, value) in response.headers where name.lowercased().hasPrefix("openstack") || name.lowercased() == "retry-after"
            || secretHeaders.contains(name.lowercased()) {
            lines.append("< \(name): \(secretHeaders.contains(name.lowercased()) ? "<redacted>" : value)")
        }
        if !response.body.isEmpty { lines.append("< " + redactedBody(response.body)) }
        write(lines)
    }

    static func failure(_ request: HTTPRequest, _ reason: String) {
        guard enabled else { return }
        write(["< failed \(request.method) \(redactedURL(request.url)): \(reason)"])
    }

    /// URLs carry no secrets in OpenStack, but a user may put credentials in one: drop them.
    static func redactedURL(_ url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, let at = parts[2].lastIndex(of: "@") else { return url }
        var cleaned = parts.map(String.init)
        cleaned[2] = "<redacted>@" + parts[2][parts[2].index(after: at)...]
        return cleaned.joined(separator: "/")
    }

    static func redactedBody(_ body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        let lower = text.lowercased()
        if secretWords.contains(where: { lower.contains($0) }) {
            return "<\(body.count) bytes naming credentials, not shown>"
        }
        return text.count > 2000 ? String(text.prefix(2000)) + "... (\(body.count) bytes)" : text
    }

    private static func write(_ lines: [String]) {
        fputs(lines.map { "fabric-debug: " + $0 }.joined(separator: "\n") + "\n", stderr)
    }
}
