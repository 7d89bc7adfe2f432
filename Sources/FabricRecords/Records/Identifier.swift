/// The one rule for every identifier a user types, checked at every entry point (the wrapper,
/// each tool's options and arguments, the records on a pipe) before any request or write: an
/// id begins with a letter or digit and goes on with letters, digits, `.`, `_` and `-`; the ids
/// a cloud gives (machines, snapshots, ports, ...) may also hold `:` and `~`, as clouds spell
/// them. A name the user chooses is at most 64 characters, a machine id at most 40 (the spec's
/// machines table), another id a cloud gives at most 255; a job id is its number. So no id is empty, none holds `/`, a space or `%`, and none is `.` or
/// `..` or begins like an option: it is one path segment, one URL segment and one SQL value
/// as it is. fabric(1), IDENTIFIERS, quotes this rule; every error quotes it too.
public enum Identifier: Sendable {
    case provider
    case group
    case job
    case machine
    case snapshot
    /// Another id a cloud gives that fabric puts into a URL (a port, network, floating IP).
    case resource(String)

    /// What the id is called in messages: "provider id", "group name", ...
    public var noun: String {
        switch self {
        case .provider: "provider id"
        case .group: "group name"
        case .job: "job id"
        case .machine: "machine id"
        case .snapshot: "snapshot id"
        case .resource(let what): "\(what) id"
        }
    }

    /// Chosen by the user (and kept in tags and names): the shorter, plainer form.
    private var isChosen: Bool {
        switch self {
        case .provider, .group: true
        case .job, .machine, .snapshot, .resource: false
        }
    }

    /// 40 for a machine: the spec's machines table keeps machine_uuid in 40 characters.
    public var maxLength: Int {
        switch self {
        case .provider, .group: 64
        case .machine: 40
        case .job: 18
        case .snapshot, .resource: 255
        }
    }

    /// The rule in words, as errors and fabric(1) quote it: "a provider id is 1-64 ...".
    public var rule: String {
        switch self {
        case .job: "a job id is a number from 1, as fabric job list shows it"
        case _ where isChosen:
            "a \(noun) is 1-\(maxLength) letters, digits, '.', '_' or '-', beginning with a letter or digit"
        default:
            "a \(noun) is 1-\(maxLength) letters, digits, '.', '_', '-', ':' or '~', beginning with a letter or digit"
        }
    }

    public func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= maxLength else { return false }
        if case .job = self { return bytes.allSatisfy(Identifier.isDigit) && first != UInt8(ascii: "0") }
        guard Identifier.isLetterOrDigit(first) else { return false }
        let punctuation: [UInt8] = isChosen ? Array("._-".utf8) : Array("._-:~".utf8)
        return bytes.allSatisfy { Identifier.isLetterOrDigit($0) || punctuation.contains($0) }
    }

    /// The text, when it is a valid id of this kind; a UsageError quoting the rule otherwise.
    @discardableResult
    public func check(_ text: String) throws(FabricError) -> String {
        guard isValid(text) else {
            let shown = text.isEmpty ? "is empty" : "\(quoted(text)) is not valid"
            throw FabricError.usage("\(noun) \(shown): \(rule)",
                                    hint: "see: fabric(1), IDENTIFIERS")
        }
        return text
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
}

/// A job id as typed: its number, or the UsageError of the rule above.
public func jobID(_ text: String) throws(FabricError) -> Int {
    try Identifier.job.check(text)
    guard let number = Int(text) else { throw FabricError.usage("job id \(quoted(text)) is too large: \(Identifier.job.rule)") }
    return number
}
