/// A kind of cloud a provider can be, with everything fabric knows about it: how users name it,
/// the store's number for it, its `--extra` settings, what `--from-env` imports and how its
/// provider object is made. Every kind is one entry of `ProviderType.all`; nothing else lists them.
public struct ProviderType: Sendable, Equatable {
    /// What records and the store's listings call it: OPENSTACK.
    public let name: String
    /// What the spec's `providers.type INT` column holds (its configure_provider gives OPENSTACK
    /// index 2); never reused, since stores keep it.
    public let index: Int
    /// Other names accepted, case-insensitively, beside `name`.
    public let aliases: [String]
    /// Whether its url must be an http(s) address (the null provider has no endpoint).
    public let hasHTTPEndpoint: Bool
    public let settings: [ProviderSetting]
    /// What `fabric provider register --from-env` takes from the environment.
    public let fromEnvironment: [EnvironmentImport]
    /// Checks of a record beyond its settings, run when it is registered.
    let checkRecord: @Sendable (ProviderRecord) throws(FabricError) -> Void
    let make: @Sendable (ProviderRecord, Store) throws(FabricError) -> any Provider

    init(name: String, index: Int, aliases: [String], hasHTTPEndpoint: Bool, settings: [ProviderSetting],
         fromEnvironment: [EnvironmentImport], checkRecord: @escaping @Sendable (ProviderRecord) throws(FabricError) -> Void,
         make: @escaping @Sendable (ProviderRecord, Store) throws(FabricError) -> any Provider) {
        self.name = name
        self.index = index
        self.aliases = aliases
        self.hasHTTPEndpoint = hasHTTPEndpoint
        self.settings = settings
        self.fromEnvironment = fromEnvironment
        self.checkRecord = checkRecord
        self.make = make
    }

    public static func == (lhs: ProviderType, rhs: ProviderType) -> Bool { lhs.name == rhs.name }

    /// Every kind of provider, the default first.
    public static let all: [ProviderType] = [.openstack, .amazon, .null]

    public static var defaultType: ProviderType { all[0] }

    public init?(index: Int) {
        guard let match = Self.all.first(where: { $0.index == index }) else { return nil }
        self = match
    }

    /// By its name or an alias, in any case.
    public init?(name: String) {
        let wanted = name.uppercased()
        guard let match = Self.all.first(where: { ([$0.name] + $0.aliases).contains { $0.uppercased() == wanted } }) else {
            return nil
        }
        self = match
    }

    /// Every spelling a user may type, for completion.
    public static var allSpellings: [String] { all.map(\.name) + all.flatMap(\.aliases) }

    /// How the types may be named, for help and errors.
    public static var spellings: String {
        let names = all.map(\.name)
        let aliases = all.flatMap(\.aliases)
        return names[0] + " (default), " + names.dropFirst().dropLast().joined(separator: ", ")
            + (names.count > 2 ? " or " : "") + names.last! + ", case-insensitive; aliases "
            + aliases.dropLast().joined(separator: ", ") + " and " + aliases.last!
    }

    /// One line of `fabric-tools --provider-types`.
    public func json() -> JSON {
        let type = JSON.object()
        type["type"] = JSON(name)
        type["aliases"] = JSON(aliases)
        type["default"] = JSON(self == Self.defaultType)
        type["settings"] = JSON.array(settings.map { $0.json() })
        type["from_env"] = JSON.array(fromEnvironment.map { $0.json() })
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

extension ProviderType {
    static let openstack = ProviderType(
        name: "OPENSTACK", index: 2, aliases: ["openstack"], hasHTTPEndpoint: true,
        settings: OpenStackSettings.table, fromEnvironment: OpenStackSettings.fromEnvironment,
        checkRecord: { _ throws(FabricError) in },
        make: { record, store throws(FabricError) in try OpenStackProvider(record: record, store: store) })

    static let amazon = ProviderType(
        name: "AMAZON", index: 3, aliases: ["amazon", "ec2"], hasHTTPEndpoint: true,
        settings: AmazonSettings.table, fromEnvironment: AmazonSettings.fromEnvironment,
        checkRecord: { record throws(FabricError) in try AmazonProvider.validate(record: record) },
        make: { record, _ throws(FabricError) in try AmazonProvider(record: record) })

    static let null = ProviderType(
        name: "NULLPROVIDER", index: 1, aliases: ["null"], hasHTTPEndpoint: false,
        settings: NullSettings.table, fromEnvironment: [],
        checkRecord: { _ throws(FabricError) in },
        make: { record, store throws(FabricError) in try NullProvider(record: record, store: store) })
}

/// Checks a provider's `--extra` settings when it is registered, so a typo fails then.
public func validateExtra(type: ProviderType, _ extra: [(key: String, value: String)]) throws(FabricError) {
    _ = try ProviderSettings(extra, of: type)
}

/// Makes the provider object for a registered provider.
public func makeProvider(_ record: ProviderRecord, store: Store) throws(FabricError) -> any Provider {
    try record.type.make(record, store)
}
