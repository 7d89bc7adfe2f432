/// A registered cloud account. The password lives only here and in the store; `json()`
/// leaves it out, so it cannot reach a record, a listing or a log by accident.
public struct ProviderRecord {
    public var id: String
    public var type: ProviderType
    public var username: String
    public var password: String
    public var url: String
    public var tenant: String
    public var defaultImage: String?
    public var defaultFlavor: String?
    public var extra: [(key: String, value: String)]
    public var created: String

    public init(id: String, type: ProviderType, username: String, password: String, url: String, tenant: String,
                defaultImage: String? = nil, defaultFlavor: String? = nil,
                extra: [(key: String, value: String)] = [], created: String = timestamp()) {
        self.id = id
        self.type = type
        self.username = username
        self.password = password
        self.url = url
        self.tenant = tenant
        self.defaultImage = defaultImage
        self.defaultFlavor = defaultFlavor
        self.extra = extra
        self.created = created
    }

    public func extra(_ key: String) -> String? { extra.last(where: { $0.key == key })?.value }

    public func json() -> JSON {
        let record = JSON.object()
        record["kind"] = JSON("provider")
        record["provider_id"] = JSON(id)
        record["type"] = JSON(type.name)
        record["username"] = JSON(username)
        record["url"] = JSON(url)
        record["tenant"] = JSON(tenant)
        record["default_image"] = defaultImage.map(JSON.init) ?? .null
        record["default_flavor"] = defaultFlavor.map(JSON.init) ?? .null
        let extras = JSON.object()
        for (key, value) in extra { extras[key] = JSON(value) }
        record["extra"] = extras
        record["created"] = JSON(created)
        return record
    }

    /// Reads a provider record as a user or the wrapper writes it (the password comes separately).
    public init(record: JSON, password: String) throws(FabricError) {
        func text(_ key: String, required: Bool) throws(FabricError) -> String? {
            guard let value = record[key], !value.isNull else {
                if required { throw FabricError.input("provider record lacks \"\(key)\"") }
                return nil
            }
            guard let text = value.string else { throw FabricError.input("provider field \"\(key)\" must be a string") }
            return text
        }
        let typeName = try text("type", required: false) ?? ProviderType.defaultType.name
        guard let type = ProviderType(name: typeName) else {
            throw FabricError.provider("unknown provider type \"\(typeName)\"", hint: "use \(ProviderType.spellings)")
        }
        var extra: [(key: String, value: String)] = []
        if let extras = record["extra"], !extras.isNull {
            guard extras.isObject else { throw FabricError.input("provider field \"extra\" must be an object") }
            for (key, value) in extras.fields {
                guard let text = value.scalarText, value.kind != .null else {
                    throw FabricError.input("provider extra \"\(key)\" must be a string, number or boolean")
                }
                extra.append((key, text))
            }
        }
        self.init(id: try text("provider_id", required: true)!, type: type,
                  username: try text("username", required: true)!, password: password,
                  url: try text("url", required: true)!, tenant: try text("tenant", required: true)!,
                  defaultImage: try text("default_image", required: false),
                  defaultFlavor: try text("default_flavor", required: false), extra: extra)
        try checkFields()
    }

    /// The checks every provider record passes whatever its type; the provider types add their
    /// own (`validate()`, beside the providers).
    public func checkFields() throws(FabricError) {
        try validateProviderID(id)
        for (name, value) in [("username", username), ("url", url), ("tenant", tenant)] where value.isEmpty {
            throw FabricError.usage("provider \(name) must not be empty")
        }
        if type.hasHTTPEndpoint && !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw FabricError.usage("provider url \"\(url)\" must start with http:// or https://")
        }
    }
}

/// Provider ids are names people type and shells quote: printable, no white space, at most 256
/// bytes (the spec's VARCHAR(256)).
public func validateProviderID(_ id: String) throws(FabricError) {
    if id.isEmpty { throw FabricError.usage("provider id must not be empty") }
    if id.utf8.count > 256 { throw FabricError.usage("provider id is longer than 256 bytes") }
    if let bad = id.unicodeScalars.first(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
        throw FabricError.usage("provider id \(quoted(id)) contains \(bad.value == 0x20 ? "a space" : "a control or space character (U+\(String(bad.value, radix: 16, uppercase: true)))")")
    }
}

/// Quotes a user-supplied value for a message, escaping what a terminal would act on.
public func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
