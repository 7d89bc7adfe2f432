import FabricRecords
import FabricStore

/// What a kind of cloud does, beside how it is named (`ProviderType`, in FabricRecords): its
/// `--extra` settings, what `--from-env` imports, its own checks of a record, the limits of its
/// boot requests and how its provider object is made.
public struct ProviderKind: Sendable {
    public let settings: [ProviderSetting]
    /// Reads the account from the variables the cloud's own tools use (`fabric provider
    /// register --from-env`), given a lookup of non-empty variables; nil: the kind has none.
    let importEnvironment: (@Sendable (_ variable: (String) -> String?) throws(FabricError) -> ImportedAccount)?
    /// The url a record gets when it is given as `-`, from its tenant (EC2: the region's
    /// endpoint); nil: `-` is no url of this kind.
    let defaultURL: (@Sendable (_ tenant: String) -> String)?
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

    public var settings: [ProviderSetting] { kind.settings + ProviderSetting.common }

    /// One line of `fabric-tools --provider-types`.
    public func json() -> JSON {
        let type = JSON.object()
        type["type"] = JSON(name)
        type["aliases"] = JSON(aliases)
        type["default"] = JSON(self == Self.defaultType)
        type["settings"] = JSON.array(settings.map { $0.json() })
        type["from_env"] = JSON(kind.importEnvironment != nil)
        return type
    }
}

/// What `--from-env` found in the environment: the account a provider record needs and the
/// `--extra` settings the environment names.
public struct ImportedAccount {
    public var username: String
    public var password: String
    public var url: String
    public var tenant: String
    public var extra: [(key: String, value: String)] = []
}

/// Checks a provider's `--extra` settings when it is registered, so a typo fails then.
public func validateExtra(type: ProviderType, _ extra: [(key: String, value: String)]) throws(FabricError) {
    _ = try ProviderSettings(extra, of: type)
}

/// Makes the provider object for a registered provider.
public func makeProvider(_ record: ProviderRecord, store: Store) throws(FabricError) -> any Provider {
    try record.type.kind.make(record, store)
}

extension ProviderType {
    /// `fabric-store register --from-env`: the account from the environment, with the settings
    /// the user gave winning over those the environment names.
    public func importAccount(extra given: [(key: String, value: String)]) throws(FabricError) -> ImportedAccount {
        guard let importer = kind.importEnvironment else {
            let kinds = ProviderType.all.filter { $0.kind.importEnvironment != nil }.map(\.name)
            throw FabricError.usage("--from-env is for \(kinds.joined(separator: " and ")) providers, not \(name)")
        }
        var account = try importer { variable in environment(variable).flatMap { $0.isEmpty ? nil : $0 } }
        account.extra = given + account.extra.filter { imported in !given.contains { $0.key == imported.key } }
        return account
    }

    /// The url as registered: `-` stands for the kind's default when it has one.
    public func registeredURL(_ url: String, tenant: String) -> String {
        url == "-" ? kind.defaultURL?(tenant) ?? url : url
    }
}
