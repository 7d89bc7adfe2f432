import FabricHTTP
import FabricRecords

/// One request of the EC2 Query API (version 2016-11-15): an Action and its parameters, sent as
/// a form-encoded POST body. Lists are numbered from 1 as the API wants (InstanceId.1,
/// Filter.1.Name, Filter.1.Value.1, TagSpecification.1.Tag.1.Key, ...).
struct EC2Query {
    static let version = "2016-11-15"

    /// Actions that may be sent twice without doing their work twice: reads, and writes that are
    /// idempotent in EC2 (RunInstances only with its ClientToken). AllocateAddress and
    /// CreateImage are not here: a second one allocates a second address or fails on the name.
    private static let repeatable: Set<String> = [
        "RunInstances", "TerminateInstances", "AssociateAddress", "DisassociateAddress", "ReleaseAddress",
        "DeregisterImage", "DeleteSnapshot", "CreateTags", "DeletePlacementGroup",
    ]

    let action: String
    private(set) var parameters: [(name: String, value: String)] = []
    private var filters = 0
    private var tagSpecifications = 0

    init(_ action: String) { self.action = action }

    var safeToRepeat: Bool {
        action.hasPrefix("Describe") || (Self.repeatable.contains(action)
            && (action != "RunInstances" || parameters.contains { $0.name == "ClientToken" }))
    }

    mutating func set(_ name: String, _ value: String) { parameters.append((name, value)) }

    mutating func set(_ name: String, _ value: Int) { set(name, String(value)) }

    mutating func set(_ name: String, _ value: Bool) { set(name, value ? "true" : "false") }

    /// name.1, name.2, ... for each value.
    mutating func list(_ name: String, _ values: [String]) {
        for (index, value) in values.enumerated() { set("\(name).\(index + 1)", value) }
    }

    mutating func filter(_ name: String, _ values: [String]) {
        filters += 1
        set("Filter.\(filters).Name", name)
        list("Filter.\(filters).Value", values)
    }

    /// Tags that EC2 puts on the resources it creates, in the same request.
    mutating func tag(_ resourceType: String, _ tags: [(key: String, value: String)]) {
        tagSpecifications += 1
        let prefix = "TagSpecification.\(tagSpecifications)"
        set(prefix + ".ResourceType", resourceType)
        for (index, tag) in tags.enumerated() {
            set("\(prefix).Tag.\(index + 1).Key", tag.key)
            set("\(prefix).Tag.\(index + 1).Value", tag.value)
        }
    }

    /// The form-encoded body, RFC 3986 percent-encoding as the API and its signature expect.
    var body: [UInt8] {
        let pairs = [(name: "Action", value: action), (name: "Version", value: Self.version)] + parameters
        return Array(QueryString(pairs).encoded.utf8)
    }

    /// The request as --dry-run prints it: action and parameters, user data and all.
    func json(url: String) -> JSON {
        let parameters = JSON.object()
        parameters["Action"] = JSON(action)
        parameters["Version"] = JSON(Self.version)
        for (name, value) in self.parameters { parameters[name] = JSON(value) }
        return JSON(["method": JSON("POST"), "url": JSON(url), "action": JSON(action), "parameters": parameters])
    }
}
