/// Parses the `key=value` form every multi-valued option uses (--image, --flavor, --meta,
/// --scheduler-hint, --extra, --file). The value may itself contain '='.
public func parseKeyValue(_ text: String, option: String) throws(FabricError) -> (key: String, value: String) {
    guard let equals = text.firstIndex(of: "=") else {
        throw FabricError.usage("\(option) \(quoted(text)) is not of the form key=value")
    }
    let key = String(text[..<equals])
    if key.isEmpty { throw FabricError.usage("\(option) \(quoted(text)) has an empty key") }
    if key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
        throw FabricError.usage("\(option) key \(quoted(key)) contains a control character")
    }
    return (key, String(text[text.index(after: equals)...]))
}

public func parseKeyValues(_ texts: [String], option: String) throws(FabricError) -> [(key: String, value: String)] {
    var result: [(key: String, value: String)] = []
    for text in texts { result.append(try parseKeyValue(text, option: option)) }
    return result
}

/// A whole number option value, with an error naming the option and the bounds.
public func parseCount(_ text: String, option: String, range: ClosedRange<Int>) throws(FabricError) -> Int {
    guard let value = Int(text.trimmingSpaces), range.contains(value) else {
        throw FabricError.usage("\(option) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(quoted(text))")
    }
    return value
}

extension String {
    public var trimmingSpaces: Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return Substring(scalars[first...last])
    }
}

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

/// A block device mapping in the spec's (and novaclient's) form
/// `dev=id:type:size:delete-on-terminate`, e.g. `vdb=6f3d...:volume:10:true`.
/// Only the id is required; type is volume (default), snapshot (or snap) or image.
public struct BlockDevice: Equatable {
    public enum SourceType: String { case volume, snapshot, image }
    public var device: String
    public var id: String
    public var sourceType: SourceType
    public var sizeGB: Int?
    public var deleteOnTermination: Bool

    public init(device: String, id: String, sourceType: SourceType = .volume, sizeGB: Int? = nil,
                deleteOnTermination: Bool = false) {
        self.device = device
        self.id = id
        self.sourceType = sourceType
        self.sizeGB = sizeGB
        self.deleteOnTermination = deleteOnTermination
    }

    public static func parse(_ text: String, option: String = "--block-device") throws(FabricError) -> BlockDevice {
        let (device, mapping) = try parseKeyValue(text, option: option)
        guard device.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "/") }) else {
            throw FabricError.usage("\(option) \(quoted(text)): device \(quoted(device)) is not a device name like vdb")
        }
        let parts = mapping.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 4 else {
            throw FabricError.usage("\(option) \(quoted(text)) has more than id:type:size:delete-on-terminate")
        }
        guard let id = parts.first, !id.isEmpty else {
            throw FabricError.usage("\(option) \(quoted(text)) needs an id (dev=id:type:size:delete-on-terminate)")
        }
        var result = BlockDevice(device: device.hasPrefix("/dev/") ? String(device.dropFirst(5)) : device, id: id)
        if parts.count > 1 && !parts[1].isEmpty {
            switch parts[1] {
            case "volume": result.sourceType = .volume
            case "snap", "snapshot": result.sourceType = .snapshot
            case "image": result.sourceType = .image
            default:
                throw FabricError.usage("\(option) \(quoted(text)): type \(quoted(parts[1])) is not volume, snapshot or image")
            }
        }
        if parts.count > 2 && !parts[2].isEmpty {
            guard let size = Int(parts[2]), size > 0, size <= 1_048_576 else {
                throw FabricError.usage("\(option) \(quoted(text)): size \(quoted(parts[2])) is not a number of GB from 1 to 1048576")
            }
            result.sizeGB = size
        }
        if result.sourceType == .image && result.sizeGB == nil {
            throw FabricError.usage("\(option) \(quoted(text)): a device made from an image needs a size")
        }
        if parts.count > 3 && !parts[3].isEmpty {
            switch parts[3].lowercased() {
            case "true", "1", "yes": result.deleteOnTermination = true
            case "false", "0", "no": result.deleteOnTermination = false
            default:
                throw FabricError.usage("\(option) \(quoted(text)): delete-on-terminate \(quoted(parts[3])) is not true or false")
            }
        }
        return result
    }

    public func json() -> JSON {
        let object = JSON.object()
        object["device"] = JSON(device)
        object["id"] = JSON(id)
        object["type"] = JSON(sourceType.rawValue)
        if let sizeGB { object["size"] = JSON(sizeGB) }
        object["delete_on_terminate"] = JSON(deleteOnTermination)
        return object
    }
}
