import FabricHTTP
import FabricProviders
import FabricRecords
import FabricStore
import Glibc

/// What "fully operational" means for one wait: the chain of stages (or each provider's `ready`
/// setting), which address the connecting stages use, the MySQL login that proves a server
/// serves, and how a boot log is judged.
public struct Readiness {
    /// nil: each provider's `ready` setting.
    public var stages: [ReadyStage]?
    public var address: AddressChoice = .automatic
    /// With it, the mysql stage logs in and runs SELECT 1; without, the server's handshake is enough.
    public var login: MySQLLogin?
    public var bootLog = BootLogJudge()
    /// Longest time a machine may spend in one stage, by the stage as written (`cloud-init`,
    /// `mysql:3306`) or by its name for every port (`port`, `mysql`).
    public var stageLimits: [String: Double] = [:]
    /// Seconds a round gives a connection (and a MySQL greeting).
    public var connectTimeout: Double = 2
    /// Run for each machine once its own stages pass, before its group's stages.
    public var onReady: Hook?
    /// Where each transition is told, as it happens.
    public var events: EventLog?

    public init() {}

    /// The chain a machine of `provider` waits for.
    func stages(for provider: any Provider) throws(FabricError) -> [ReadyStage] {
        try stages(for: provider.record)
    }

    /// The chain for a provider's record: what `--check -p ID` looks at without a cloud.
    public func stages(for record: ProviderRecord) throws(FabricError) -> [ReadyStage] {
        if let stages { return stages }
        let setting = try ProviderSettings(record.extra, of: record.type).text("ready") ?? "active"
        let chain = try ReadyStage.chain(parsing: setting, option: "provider \(quoted(record.id))'s ready setting")
        if login != nil { try Readiness.requireMySQLStage(chain, in: "provider \(quoted(record.id))'s ready setting (\(setting))") }
        try requireLogin(chain, in: "provider \(quoted(record.id))'s ready setting (\(setting))")
        return chain
    }

    /// The group stages log in: a chain with one and no login is refused before the wait.
    public func requireLogin(_ chain: [ReadyStage], in source: String) throws(FabricError) {
        guard login == nil, let stage = chain.first(where: \.kind.isGroupStage) else { return }
        throw FabricError.usage("stage \(stage) of \(source) logs in to each server: give --mysql-user (and its password)")
    }

    /// A login with no mysql stage to use it would be dropped without a word: refused instead.
    public static func requireMySQLStage(_ chain: [ReadyStage], in source: String) throws(FabricError) {
        guard !chain.contains(where: { if case .mysql = $0 { true } else { false } }) else { return }
        throw FabricError.usage("--mysql-user logs in at the mysql stage, and \(source) has none",
                                hint: "add mysql or mysql:PORT to the stages, or leave --mysql-user out")
    }

    func limit(of stage: ReadyStage) -> Double? {
        stageLimits[stage.description] ?? stageLimits[String(stage.description.prefix { $0 != ":" })]
    }

    /// `--stage-timeout STAGE=SECONDS`, checked: a stage fabric knows, a positive number.
    public static func stageLimits(_ specs: [String]) throws(FabricError) -> [String: Double] {
        var limits: [String: Double] = [:]
        for (stage, value) in try parseKeyValues(specs, option: "--stage-timeout") {
            let name = stage.split(separator: ":").first.map(String.init) ?? stage
            guard ReadyStage.Kind(rawValue: name) != nil else {
                throw FabricError.usage("--stage-timeout: unknown stage \(quoted(stage))", hint: "the stages: \(ReadyStage.grammar)")
            }
            if stage.contains(":") { _ = try ReadyStage(parsing: stage, option: "--stage-timeout") }
            guard let seconds = Double(value), seconds > 0, seconds.isFinite else {
                throw FabricError.usage("--stage-timeout \(stage)=\(value): expected a positive number of seconds")
            }
            limits[stage] = seconds
        }
        return limits
    }
}

/// Reads a boot log for cloud-init's verdict. cloud-init ends its run with its final message,
/// by default "Cloud-init v. VERSION finished at TIME. Datasource ... Up N seconds"; an image
/// that sets its own `final_message` (or any boot script) says "done" with the marker
/// `FABRIC_READY` on the console. A user script that fails makes cloud-init log WARNING lines
/// ("Failed running /var/lib/cloud/instance/scripts/...", "Failed to run module scripts_user")
/// before its final message: those fail the stage at once, as does a line matching a pattern
/// the operator gives.
public struct BootLogJudge {
    public static let marker = "FABRIC_READY"
    static let cloudInitFailures = ["Failed running /var/lib/cloud/", "Failed to run module ", "[CRITICAL]"]

    /// Extended regular expressions (regcomp), compiled once.
    private var patterns: [(text: String, compiled: UnsafeMutablePointer<regex_t>)] = []
    /// How many of the log's last lines are asked for.
    public var lines = 1000

    public init() {}

    /// Adds an operator's pattern; a malformed one is a usage error naming it.
    public mutating func failOn(_ pattern: String) throws(FabricError) {
        let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        let status = regcomp(compiled, pattern, REG_EXTENDED | REG_NOSUB)
        guard status == 0 else {
            var message = [CChar](repeating: 0, count: 256)
            regerror(status, compiled, &message, message.count)
            compiled.deallocate()
            throw FabricError.usage("--fail-pattern \(quoted(pattern)): \(String(cString: message))")
        }
        patterns.append((pattern, compiled))
    }

    public enum Verdict: Equatable {
        case finished
        /// The line that failed it, escaped for a terminal.
        case failed(String)
        case running(lines: Int)
    }

    /// The log is untrusted: only its last `lines` lines (at most 256 KB) are read, invalid
    /// UTF-8 is replaced, and a line is quoted before it is shown.
    public func judge(_ log: [UInt8]) -> Verdict {
        let text = String(decoding: lastLines(Array(log.suffix(256 * 1024)), lines), as: UTF8.self)
        var count = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            count += 1
            let line = String(line)
            if Self.cloudInitFailures.contains(where: line.contains) || patterns.contains(where: { regexec($0.compiled, line, 0, nil, 0) == 0 }) {
                return .failed(quoted(String(line.prefix(300))))
            }
            if line.contains(Self.marker) || (line.contains("Cloud-init v. ") && line.contains(" finished at ")) {
                return .finished
            }
        }
        return .running(lines: count)
    }
}
