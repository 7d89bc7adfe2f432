import FabricRecords
import Glibc

/// A cloud login (token and what came with it) kept in the store (0600, beside the password it was made from), so that the
/// tools of a pipeline and the commands after it log in once per token, not once per process.
/// Keyed by provider and by a digest of its credentials: a provider registered again with other
/// credentials finds nothing. Never printed, traced, exported or passed in argv.
public struct CachedLogin {
    public var token: String
    /// Seconds since the epoch.
    public var expires: Double
    /// Provider-specific state that came with the token (catalog, negotiated versions), as JSON.
    public var state: JSON

    public init(token: String, expires: Double, state: JSON) {
        self.token = token
        self.expires = expires
        self.state = state
    }
}

extension Store {
    /// The cached login of a provider, if it was made from these credentials and is valid
    /// for at least `margin` more seconds.
    public func cachedLogin(provider: String, credentials: String, margin: Double) -> CachedLogin? {
        guard let row = try? database.rows("SELECT credentials, token, expires, session FROM tokens WHERE provider_id = ?",
                                           [.text(provider)]).first,
              row.text(0) == credentials, let token = row.text(1), let expires = row.real(2),
              expires - margin > now(), let state = row.text(3).flatMap({ try? JSON.parse($0) }) else { return nil }
        return CachedLogin(token: token, expires: expires, state: state)
    }

    /// Keeps a login for the tools that follow; a store that cannot take it only costs them a login.
    public func saveLogin(_ login: CachedLogin, provider: String, credentials: String) {
        _ = try? database.transaction { () throws(FabricError) in
            try database.run("DELETE FROM tokens WHERE provider_id = ?", [.text(provider)])
            try database.run("INSERT INTO tokens (provider_id, credentials, token, expires, session) VALUES (?, ?, ?, ?, ?)",
                             [.text(provider), .text(credentials), .text(login.token), .real(login.expires),
                              .text(login.state.encoded())])
        }
    }

    /// Forgets a provider's login: the cloud refused its token.
    public func dropLogin(provider: String) {
        _ = try? database.run("DELETE FROM tokens WHERE provider_id = ?", [.text(provider)])
    }
}

/// A digest of a provider's credentials and settings (FNV-1a, 64 bits): a cache key that changes
/// when any of them does, not a protection of them (the store holds the password itself).
public func credentialsDigest(_ record: ProviderRecord) -> String {
    var hash = FNV1a()
    let fields = [record.url, record.username, record.password, record.tenant]
        + record.extra.map { $0.key + "=" + $0.value }
    for field in fields { hash.add(field.utf8 + [0]) }
    return String(hash.value, radix: 16)
}

/// An ISO 8601 UTC time as Keystone writes it ("2026-12-02T07:12:22.000000Z") in seconds since
/// the epoch; nil for any other shape.
public func parseISO8601(_ text: String) -> Double? {
    let digits = Array(text.utf8)
    func number(_ range: Range<Int>) -> Int? {
        guard range.upperBound <= digits.count else { return nil }
        var value = 0
        for byte in digits[range] {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
    guard digits.count >= 19, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
          let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
    var parts = tm()
    parts.tm_year = Int32(year - 1900)
    parts.tm_mon = Int32(month - 1)
    parts.tm_mday = Int32(day)
    parts.tm_hour = Int32(hour)
    parts.tm_min = Int32(minute)
    parts.tm_sec = Int32(second)
    let seconds = timegm(&parts)
    return seconds < 0 ? nil : Double(seconds)
}
