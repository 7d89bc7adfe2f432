/// A network interface, in the spec's (and novaclient's) `net-id=...,v4-fixed-ip=...` or
/// `port-id=...` form.
public struct Nic: Equatable {
    public var networkID: String?
    public var fixedIPv4: String?
    public var portID: String?

    public init(networkID: String? = nil, fixedIPv4: String? = nil, portID: String? = nil) {
        self.networkID = networkID
        self.fixedIPv4 = fixedIPv4
        self.portID = portID
    }

    public static func parse(_ text: String, option: String, allowFixedIP: Bool) throws(FabricError) -> Nic {
        var nic = Nic()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let (key, value) = try parseKeyValue(String(part), option: option)
            if value.isEmpty { throw FabricError.usage("\(option) \(quoted(text)): \(key) has no value") }
            switch key {
            case "net-id":
                if nic.networkID != nil { throw FabricError.usage("\(option) \(quoted(text)): net-id given twice") }
                nic.networkID = value
            case "port-id":
                if nic.portID != nil { throw FabricError.usage("\(option) \(quoted(text)): port-id given twice") }
                try checkResourceID(value, "\(option) port-id")
                nic.portID = value
            case "v4-fixed-ip" where allowFixedIP:
                guard isIPv4(value) else {
                    throw FabricError.usage("\(option) \(quoted(text)): v4-fixed-ip \(quoted(value)) is not an IPv4 address")
                }
                nic.fixedIPv4 = value
            default:
                let keys = allowFixedIP ? "net-id, v4-fixed-ip or port-id" : "net-id or port-id"
                throw FabricError.usage("\(option) \(quoted(text)): unknown key \(quoted(key)) (expected \(keys))")
            }
        }
        switch (nic.networkID, nic.portID) {
        case (nil, nil): throw FabricError.usage("\(option) \(quoted(text)) needs net-id or port-id")
        case (.some, .some): throw FabricError.usage("\(option) \(quoted(text)): net-id and port-id exclude each other")
        default: break
        }
        if nic.fixedIPv4 != nil && nic.portID != nil {
            throw FabricError.usage("\(option) \(quoted(text)): v4-fixed-ip goes with net-id, not port-id")
        }
        return nic
    }

    public func json() -> JSON {
        let object = JSON.object()
        if let networkID { object["net-id"] = JSON(networkID) }
        if let fixedIPv4 { object["v4-fixed-ip"] = JSON(fixedIPv4) }
        if let portID { object["port-id"] = JSON(portID) }
        return object
    }
}

public func isIPv4(_ text: String) -> Bool {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts.allSatisfy { part in
        !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
            && Int(part)! <= 255 && !(part.count > 1 && part.first == "0")
    }
}
