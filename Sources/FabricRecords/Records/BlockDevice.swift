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
