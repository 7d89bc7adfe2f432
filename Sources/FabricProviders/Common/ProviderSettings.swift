import FabricRecords

/// One `--extra` setting of a provider type: its name, one line of help, the kind of value it
/// takes and its default as a user would write it. A provider's table of these is what
/// registration checks and what `fabric-tools --provider-types` lists.
public struct ProviderSetting: Sendable {
    public let name: String
    public let help: String
    public let kind: SettingKind
    /// nil: unset unless given.
    public let defaultValue: String?

    public init(_ name: String, _ help: String, _ kind: SettingKind, default defaultValue: String? = nil) {
        self.name = name
        self.help = help
        self.kind = kind
        self.defaultValue = defaultValue
    }

    public func json() -> JSON {
        let setting = JSON.object()
        setting["name"] = JSON(name)
        setting["kind"] = JSON(kind.name)
        setting["expected"] = JSON(kind.expected)
        setting["default"] = defaultValue.map(JSON.init) ?? .null
        setting["help"] = JSON(help)
        return setting
    }
}

extension ProviderSetting {
    /// The settings every kind of provider takes, beside its own.
    public static let common: [ProviderSetting] = [
        ProviderSetting("ready", "what machine create --wait_spawning waits for: stages, in order, of active, address, port:N, cloud-init, mysql[:PORT]",
                        .shaped("stages such as cloud-init,mysql:3306", check: { (try? ReadyStage.chain(parsing: $0, option: "ready")) != nil }),
                        default: "active"),
        ProviderSetting(catalogLifetime, "seconds the flavors (instance types) the cloud listed are kept in the store and searched again without asking it; 0: asked every time",
                        .lifetime, default: "86400"),
    ]

    /// The lifetime of the store's copy of the cloud's flavor catalogue (CatalogSearch.swift).
    static let catalogLifetime = "catalog_ttl"
}

/// The kinds of value a setting takes, each read one way for every provider.
public enum SettingKind: Sendable {
    /// true, yes, on or 1; false, no, off or 0; in any case.
    case bool
    /// A number of seconds from 0 to `SettingKind.maxSeconds`.
    case seconds
    /// Seconds as `seconds`, but not 0: a timeout of 0 would mean none.
    case timeout
    /// Milliseconds, read as seconds are (the same range), for settings named in milliseconds.
    case milliseconds
    /// Seconds from 0 to `SettingKind.maxLifetime`: how long something is kept, not waited for.
    case lifetime
    case count(ClosedRange<Int>)
    /// Comma-separated, at least one item; `item` says why an item is refused, nil when it is fine.
    case list(item: (@Sendable (String) -> String?)? = nil)
    /// Any text that is not empty.
    case text
    case choice([String])
    /// Text of a shape the provider checks: `check` says why a value is refused, nil when fine.
    case shaped(String, check: @Sendable (String) -> Bool)

    /// The longest any time setting may be: an hour.
    public static let maxSeconds = 3600.0
    /// The longest anything is kept: a year.
    public static let maxLifetime = 31_536_000.0

    var name: String {
        switch self {
        case .bool: "bool"
        case .seconds, .timeout, .lifetime: "seconds"
        case .milliseconds: "milliseconds"
        case .count: "count"
        case .list: "list"
        case .text, .shaped: "string"
        case .choice: "enum"
        }
    }

    /// What a valid value is, as errors and listings say it.
    var expected: String {
        switch self {
        case .bool: "true or false"
        case .seconds: "a number of seconds from 0 to \(Int(Self.maxSeconds))"
        case .timeout: "a number of seconds above 0, at most \(Int(Self.maxSeconds))"
        case .milliseconds: "a number of milliseconds from 0 to \(Int(Self.maxSeconds * 1000))"
        case .lifetime: "a number of seconds from 0 to \(Int(Self.maxLifetime))"
        case .count(let range): "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .list: "one or more comma-separated items"
        case .text: "a value that is not empty"
        case .choice(let values): values.count == 2 ? values.joined(separator: " or ")
            : values.dropLast().joined(separator: ", ") + " or " + values.last!
        case .shaped(let shape, _): shape
        }
    }

    /// The value, or why it is refused (without the setting's name).
    fileprivate func read(_ text: String) -> Result<SettingValue, SettingRefusal> {
        let refused = Result<SettingValue, SettingRefusal>.failure(SettingRefusal(reason: "expected " + expected))
        switch self {
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .success(.bool(true))
            case "false", "no", "off", "0": return .success(.bool(false))
            default: return refused
            }
        case .seconds, .timeout, .milliseconds, .lifetime:
            let scale = if case .milliseconds = self { 1000.0 } else { 1.0 }
            let limit = if case .lifetime = self { Self.maxLifetime } else { Self.maxSeconds }
            guard let number = Double(text.trimmingSpaces), number >= 0, number / scale <= limit else { return refused }
            if case .timeout = self, number == 0 { return refused }
            return .success(.seconds(number / scale))
        case .count(let range):
            guard let count = Int(text.trimmingSpaces), range.contains(count) else { return refused }
            return .success(.count(count))
        case .list(let item):
            let items = text.split(separator: ",").map { String(String($0).trimmingSpaces) }.filter { !$0.isEmpty }
            guard !items.isEmpty else { return refused }
            for each in items {
                if let reason = item?(each) { return .failure(SettingRefusal(reason: reason)) }
            }
            return .success(.list(items))
        case .text:
            return text.isEmpty ? refused : .success(.text(text))
        case .choice(let values):
            return values.contains(text) ? .success(.text(text)) : refused
        case .shaped(_, let check):
            return check(text) ? .success(.text(text)) : refused
        }
    }
}

private enum SettingValue {
    case bool(Bool)
    case seconds(Double)
    case count(Int)
    case list([String])
    case text(String)
}

private struct SettingRefusal: Error {
    let reason: String
}

/// A provider's `--extra` settings read against its table: every value checked by its kind,
/// an unknown name refused, a setting not given taking the table's default.
public struct ProviderSettings {
    private var values: [String: SettingValue] = [:]

    public init(_ extra: [(key: String, value: String)], of type: ProviderType) throws(FabricError) {
        try self.init(extra, table: type.settings, typeName: type.name)
    }

    init(_ extra: [(key: String, value: String)], table: [ProviderSetting], typeName: String) throws(FabricError) {
        for setting in table {
            guard let text = setting.defaultValue else { continue }
            guard case .success(let value) = setting.kind.read(text) else {
                preconditionFailure("the default of \(typeName)'s setting \(setting.name) is not \(setting.kind.expected)")
            }
            values[setting.name] = value
        }
        for (key, text) in extra {
            guard let setting = table.first(where: { $0.name == key }) else {
                throw FabricError.usage("unknown --extra key \(quoted(key)): not a setting of \(typeName) providers",
                                        hint: "known: " + table.map(\.name).joined(separator: ", "))
            }
            switch setting.kind.read(text) {
            case .success(let value): values[key] = value
            case .failure(let refusal): throw FabricError.usage("--extra \(key)=\(text): \(refusal.reason)")
            }
        }
    }

    public func bool(_ name: String) -> Bool {
        guard case .bool(let value)? = values[name] else { return false }
        return value
    }

    /// Seconds (a `milliseconds` setting too, converted); 0 when unset.
    public func seconds(_ name: String) -> Double {
        guard case .seconds(let value)? = values[name] else { return 0 }
        return value
    }

    public func count(_ name: String) -> Int? {
        guard case .count(let value)? = values[name] else { return nil }
        return value
    }

    public func list(_ name: String) -> [String] {
        guard case .list(let value)? = values[name] else { return [] }
        return value
    }

    public func text(_ name: String) -> String? {
        guard case .text(let value)? = values[name] else { return nil }
        return value
    }
}
