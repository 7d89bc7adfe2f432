import FabricRecords

/// The shapes of the EC2 ids fabric puts into requests. Every id that comes from a user, a
/// record or the store is checked before the first request, so a typo, or text that is not an
/// id at all, costs no request and cannot reach EC2 as something else.
enum EC2ID {
    enum Kind: String {
        case instance = "i", image = "ami", allocation = "eipalloc", snapshot = "snap", subnet = "subnet"
        case securityGroup = "sg", networkInterface = "eni", pool = "ipv4pool-ec2", association = "eipassoc"

        var noun: String {
            switch self {
            case .instance: "machine (instance) id"
            case .image: "image id"
            case .allocation: "Elastic IP allocation id"
            case .snapshot: "EBS snapshot id"
            case .subnet: "subnet id"
            case .securityGroup: "security group id"
            case .networkInterface: "network interface id"
            case .pool: "public IPv4 pool id"
            case .association: "Elastic IP association id"
            }
        }
    }

    /// "<prefix>-" and 8 or 17 lower-case hex digits (EC2's older and current lengths).
    static func isShaped(_ text: String, _ kind: Kind) -> Bool {
        let prefix = kind.rawValue + "-"
        guard text.hasPrefix(prefix) else { return false }
        let digits = text.utf8.dropFirst(prefix.utf8.count)
        return (digits.count == 8 || digits.count == 17)
            && digits.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }

    static func check(_ text: String, _ kind: Kind, _ what: String? = nil) throws(FabricError) {
        guard isShaped(text, kind) else {
            throw FabricError.usage("\(what ?? kind.noun) \(quoted(text)) is not an EC2 \(kind.noun)",
                                    hint: "EC2 writes them \(kind.rawValue)- and 8 or 17 hex digits, e.g. \(kind.rawValue)-0123456789abcdef0")
        }
    }

    /// An instance type (the flavor id): "family.size", letters, digits and dashes.
    static func checkInstanceType(_ text: String) throws(FabricError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let shaped = parts.count == 2 && parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
        }
        guard shaped, text.utf8.count <= 64 else {
            throw FabricError.usage("flavor \(quoted(text)) is not an EC2 instance type like t3.micro",
                                    hint: "see: fabric-find-flavor -p PROVIDER --all")
        }
    }
}
