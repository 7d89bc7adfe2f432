/// The kinds of cloud fabric knows, as records and the store name them. What each kind does
/// (its `--extra` settings, what `--from-env` imports, its provider object) is its `kind`, in
/// FabricProviders' ProviderTypes.swift, where the compiler asks for an entry for every case.
public enum ProviderType: String, CaseIterable, Sendable {
    case openstack = "OPENSTACK"
    case amazon = "AMAZON"
    case null = "NULLPROVIDER"

    /// What records and the store's listings call it: OPENSTACK.
    public var name: String { rawValue }

    /// What the spec's `providers.type INT` column holds (its configure_provider gives OPENSTACK
    /// index 2); never reused, since stores keep it.
    public var index: Int {
        switch self {
        case .null: 1
        case .openstack: 2
        case .amazon: 3
        }
    }

    /// Other names accepted, case-insensitively, beside `name`.
    public var aliases: [String] {
        switch self {
        case .openstack: ["openstack"]
        case .amazon: ["amazon", "ec2"]
        case .null: ["null"]
        }
    }

    /// Whether its url must be an http(s) address (the null provider has no endpoint).
    public var hasHTTPEndpoint: Bool { self != .null }

    /// Every kind, the default first.
    public static let all: [ProviderType] = allCases

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
}
