import FabricRecords
import FabricStore

/// What a kind of cloud does, beside how it is named (`ProviderType`, in FabricRecords): its
/// `--extra` settings, what `--from-env` imports, its own checks of a record, the limits of its
/// boot requests and how its provider object is made.
public struct ProviderKind: Sendable {
    public let settings: [ProviderSetting]
    /// What `fabric provider register --from-env` takes from the environment.
    public let fromEnvironment: [EnvironmentImport]
    /// Checks of a record beyond its settings, run when it is registered.
    let checkRecord: @Sendable (ProviderRecord) throws(FabricError) -> Void
    /// What the cloud takes in one boot request, checked before the provider is sent anything.
    public let bootLimits: BootLimits
    let make: @Sendable (ProviderRecord, Store) throws(FabricError) -> any Provider
}

extension ProviderType {
    /// The one table of what each kind of provider does: a new kind is one folder and one entry
    /// here (and its case in ProviderType).
    public var kind: ProviderKind {
        switch self {
        case .openstack: .openstack
        case .amazon: .amazon
        case .null: .null
        }
    }

    public var settings: [ProviderSetting] { kind.settings }

    /// One line of `fabric-tools --provider-types`.
    public func json() -> JSON {
        let type = JSON.object()
        type["type"] = JSON(name)
        type["aliases"] = JSON(aliases)
        type["default"] = JSON(self == Self.defaultType)
        type["settings"] = JSON.array(kind.settings.map { $0.json() })
        type["from_env"] = JSON.array(kind.fromEnvironment.map { $0.json() })
        return type
    }
}

/// One thing `--from-env` takes from the environment: a field of the provider record (url,
/// username, password, tenant) or an `--extra` setting ("extra.region"), from the first of
/// `variables` that is set, when the condition in `when` holds.
public struct EnvironmentImport: Sendable {
    public let field: String
    public let variables: [String]
    public let when: String?
    public let note: String?

    public init(_ field: String, from variables: [String], when: String? = nil, note: String? = nil) {
        self.field = field
        self.variables = variables
        self.when = when
        self.note = note
    }

    func json() -> JSON {
        let entry = JSON.object()
        entry["field"] = JSON(field)
        entry["from"] = JSON(variables)
        entry["when"] = when.map(JSON.init) ?? .null
        entry["note"] = note.map(JSON.init) ?? .null
        return entry
    }
}

extension ProviderKind {
    static let openstack = ProviderKind(
        settings: OpenStackSettings.table, fromEnvironment: OpenStackSettings.fromEnvironment,
        checkRecord: { _ throws(FabricError) in }, bootLimits: .nova,
        make: { record, store throws(FabricError) in try OpenStackProvider(record: record, store: store) })

    static let amazon = ProviderKind(
        settings: AmazonSettings.table, fromEnvironment: AmazonSettings.fromEnvironment,
        checkRecord: { record throws(FabricError) in try AmazonProvider.validate(record: record) }, bootLimits: .ec2,
        make: { record, _ throws(FabricError) in try AmazonProvider(record: record) })

    static let null = ProviderKind(
        settings: NullSettings.table, fromEnvironment: [],
        checkRecord: { _ throws(FabricError) in }, bootLimits: .nova,
        make: { record, store throws(FabricError) in try NullProvider(record: record, store: store) })
}

/// Checks a provider's `--extra` settings when it is registered, so a typo fails then.
public func validateExtra(type: ProviderType, _ extra: [(key: String, value: String)]) throws(FabricError) {
    _ = try ProviderSettings(extra, of: type)
}

/// Makes the provider object for a registered provider.
public func makeProvider(_ record: ProviderRecord, store: Store) throws(FabricError) -> any Provider {
    try record.type.kind.make(record, store)
}
