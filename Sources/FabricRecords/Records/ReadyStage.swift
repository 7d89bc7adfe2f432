/// What "fully operational" means for a machine (the spec's --wait_spawning): a chain of stages,
/// each checked from the host fabric runs on, in this order:
///
/// - `active`: the cloud's own state (ACTIVE, EC2's running);
/// - `address`: the public address asked for is attached;
/// - `port:N`: a TCP connection to port N of the machine's address succeeds;
/// - `cloud-init`: the boot log, read through the cloud's API, shows cloud-init's final line;
/// - `mysql[:PORT]`: the MySQL protocol answers (with credentials: a login and `SELECT 1`);
/// - `replica[:SECONDS]`: the server replicates from its group's primary, both threads running,
///   at most SECONDS behind (0: it has applied what the primary had written when the stage
///   began); the group's first member passes as the primary;
/// - `synced`: a Galera node, Synced in a Primary component.
///
/// A chain always starts with `active`, `address` comes before any stage that connects to the
/// machine, and `mysql` before `replica` and `synced` (which log in as it does), so naming
/// `mysql:3306` alone waits for three stages, `replica` for four. The machine's `--on_ready`
/// hook runs after its own stages (up to `mysql`) and before `replica` and `synced`, which see
/// what it did.
public enum ReadyStage: Hashable, Sendable, CustomStringConvertible {
    case active
    case address
    case port(Int)
    case cloudInit
    case mysql(Int)
    /// The most seconds behind the primary it may be.
    case replica(Int)
    case synced

    public static let mysqlDefaultPort = 3306

    /// The kinds of stage, in the order of a chain: their names, their spellings in the
    /// grammar, and their order come from this one list. Stages of one kind (two ports) keep
    /// the order given.
    public enum Kind: String, CaseIterable, Comparable, Sendable {
        case active, address, port, cloudInit = "cloud-init", mysql, replica, synced

        /// As usage errors and help spell it.
        public var spelling: String {
            switch self {
            case .port: "port:N"
            case .mysql: "mysql[:PORT]"
            case .replica: "replica[:SECONDS]"
            default: rawValue
            }
        }

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }

        /// Stages that ask about the machine's place in its group, after its own hook ran.
        public var isGroupStage: Bool { self == .replica || self == .synced }
    }

    /// How the stages are spelled, in their order, for usage errors and help.
    public static let grammar = Kind.allCases.map(\.spelling).joined(separator: ", ")

    public var kind: Kind {
        switch self {
        case .active: .active
        case .address: .address
        case .port: .port
        case .cloudInit: .cloudInit
        case .mysql: .mysql
        case .replica: .replica
        case .synced: .synced
        }
    }

    /// As the user writes it, and as it is named in a record's `ready` object.
    public var description: String {
        switch self {
        case .active: "active"
        case .address: "address"
        case .port(let port): "port:\(port)"
        case .cloudInit: "cloud-init"
        case .mysql(let port): "mysql:\(port)"
        case .replica(let lag): lag == 0 ? "replica" : "replica:\(lag)"
        case .synced: "synced"
        }
    }

    /// Whether the stage connects to the machine's address from this host.
    public var connects: Bool {
        switch self {
        case .port, .mysql, .replica, .synced: true
        case .active, .address, .cloudInit: false
        }
    }

    public init(parsing text: String, option: String) throws(FabricError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        func port(required: Bool) throws(FabricError) -> Int? {
            guard parts.count == 2 else {
                if required { throw FabricError.usage("\(option): stage \(quoted(text)) needs a port, as \(name):N") }
                return nil
            }
            guard let port = Int(parts[1]), (1...65535).contains(port), parts[1].first != "+" else {
                throw FabricError.usage("\(option): the port of \(quoted(text)) must be a number from 1 to 65535")
            }
            return port
        }
        guard let kind = Kind(rawValue: name) else {
            throw FabricError.usage("\(option): unknown stage \(quoted(text))", hint: "the stages, in order: \(ReadyStage.grammar)")
        }
        switch kind {
        case .active, .address, .cloudInit, .synced:
            guard parts.count == 1 else { throw FabricError.usage("\(option): stage \(quoted(name)) takes no port") }
            self = kind == .active ? .active : kind == .address ? .address : kind == .synced ? .synced : .cloudInit
        case .port: self = .port(try port(required: true)!)
        case .mysql: self = .mysql(try port(required: false) ?? ReadyStage.mysqlDefaultPort)
        case .replica:
            guard parts.count == 2 else { self = .replica(0); return }
            guard let lag = Int(parts[1]), (0...86_400).contains(lag), parts[1].allSatisfy(\.isNumber) else {
                throw FabricError.usage("\(option): the lag of \(quoted(text)) must be a number of seconds from 0 to 86400")
            }
            self = .replica(lag)
        }
    }

    /// A comma-separated chain (`cloud-init,mysql:3306`), checked and completed: in order, no
    /// stage twice, `active` first, `address` before a stage that connects, `mysql` before a
    /// group stage.
    public static func chain(parsing text: String, option: String) throws(FabricError) -> [ReadyStage] {
        var given: [ReadyStage] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = String(String(part).trimmingSpaces)
            guard !word.isEmpty else { throw FabricError.usage("\(option): an empty stage in \(quoted(text))") }
            let stage = try ReadyStage(parsing: word, option: option)
            if given.contains(stage) { throw FabricError.usage("\(option): stage \(stage) is given twice") }
            if stage.kind.isGroupStage, given.contains(where: \.kind.isGroupStage) {
                throw FabricError.usage("\(option): replica and synced exclude each other: a member replicates from a primary, or is a Galera node")
            }
            if let last = given.last, last.kind > stage.kind {
                throw FabricError.usage("\(option): stage \(stage) comes before \(last)", hint: "the stages, in order: \(ReadyStage.grammar)")
            }
            given.append(stage)
        }
        var chain = given
        if let group = chain.firstIndex(where: \.kind.isGroupStage), !chain.contains(where: { $0.kind == .mysql }) {
            chain.insert(.mysql(mysqlDefaultPort), at: group)
        }
        if chain.contains(where: \.connects) && !chain.contains(.address) {
            chain.insert(.address, at: chain.firstIndex { $0.kind > .address }!)
        }
        if chain.first != .active { chain.insert(.active, at: 0) }
        return chain
    }
}
