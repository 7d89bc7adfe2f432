/// Every failure a tool reports, by the spec's error names plus the plumbing's own.
/// The exit status of each kind is part of the interface and is the same in every tool
/// (see fabric(1), EXIT STATUS).
public struct FabricError: Error, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The cloud refused or failed a machine operation (spec: MachineError).
        case machine = "MachineError"
        /// The provider is unknown, exists already, is in use, or cannot be reached (spec: ProviderError).
        case provider = "ProviderError"
        case snapshot = "SnapshotError"
        case store = "StoreError"
        /// Waiting ran past --timeout.
        case timeout = "TimeoutError"
        /// An option or argument is invalid.
        case usage = "UsageError"
        /// A record on standard input is malformed or lacks what the tool needs.
        case input = "InputError"
        case interrupted = "Interrupted"

        public var exitStatus: Int32 {
            switch self {
            case .machine: 1
            case .provider: 2
            case .snapshot: 3
            case .store: 4
            case .timeout: 5
            case .usage: 64
            case .input: 65
            case .interrupted: 130
            }
        }
    }

    public let kind: Kind
    public let message: String
    /// What the user can do about it, printed as "(see: ...)" or "(try: ...)".
    public let hint: String?
    /// The HTTP status of the reply that failed, when a service answered: a 4xx says the
    /// service refused (nothing was made), a 5xx or none leaves the outcome unknown.
    public var httpStatus: Int?

    public init(_ kind: Kind, _ message: String, hint: String? = nil, httpStatus: Int? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.httpStatus = httpStatus
    }

    public var description: String {
        "\(kind.rawValue): \(message)" + (hint.map { " (\($0))" } ?? "")
    }

    public static func machine(_ message: String, hint: String? = nil) -> FabricError { .init(.machine, message, hint: hint) }
    public static func provider(_ message: String, hint: String? = nil) -> FabricError { .init(.provider, message, hint: hint) }
    public static func snapshot(_ message: String, hint: String? = nil) -> FabricError { .init(.snapshot, message, hint: hint) }
    public static func store(_ message: String, hint: String? = nil) -> FabricError { .init(.store, message, hint: hint) }
    public static func usage(_ message: String, hint: String? = nil) -> FabricError { .init(.usage, message, hint: hint) }
    public static func input(_ message: String, hint: String? = nil) -> FabricError { .init(.input, message, hint: hint) }
}

/// Runs a step whose failure the caller handles case by case; the error as a value, or nil.
public func attempt(_ body: () throws(FabricError) -> Void) -> FabricError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
