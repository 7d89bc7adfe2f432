/// An AMAZON provider's `--extra` settings, checked when it is registered so a typo fails then.
import FabricHTTP
import FabricRecords

struct AmazonSettings {
    static let keys: [(name: String, help: String)] = [
        ("image_owners", "whose images find-image searches: self, amazon, aws-marketplace or account ids, comma-separated (default self)"),
        ("snapshot_reboot", "true: EC2 reboots a machine to snapshot a clean file system (default false)"),
        ("delete_timeout", "seconds to wait for a machine to be terminated (default 300)"),
        ("max_attempts", "tries of a request EC2 throttles or fails transiently (default 5)"),
        ("timeout", "seconds a request may take (default 60)"),
        ("connect_timeout", "seconds to connect (default 10)"),
        ("cacert", "a CA file for the endpoint's certificate"),
        ("insecure", "true: do not verify the endpoint's certificate"),
    ]

    var imageOwners = ["self"]
    var snapshotReboot = false
    var deleteTimeout = 300.0
    var maxAttempts = 5
    var transport = TransportSettings()

    init(extra: [(key: String, value: String)]) throws(FabricError) {
        for (key, value) in extra {
            switch key {
            case "image_owners":
                let owners = value.split(separator: ",").map { String(String($0).trimmingSpaces) }.filter { !$0.isEmpty }
                guard !owners.isEmpty else { throw FabricError.usage("--extra image_owners needs at least one owner") }
                for owner in owners where !Self.isOwner(owner) {
                    throw FabricError.usage("--extra image_owners: \(quoted(owner)) is not self, amazon, aws-marketplace or a 12-digit account id")
                }
                imageOwners = owners
            case "snapshot_reboot": snapshotReboot = try Self.flag(key, value)
            case "delete_timeout": deleteTimeout = try Self.seconds(key, value)
            case "max_attempts": maxAttempts = try parseCount(value, option: "--extra max_attempts", range: 1...20)
            case "timeout": transport.timeoutSeconds = try Self.seconds(key, value)
            case "connect_timeout": transport.connectTimeoutSeconds = try Self.seconds(key, value)
            case "cacert": transport.caFile = value
            case "insecure": transport.insecure = try Self.flag(key, value)
            default:
                throw FabricError.usage("--extra \(key)=...: not a setting of AMAZON providers",
                                        hint: "known: " + Self.keys.map(\.name).joined(separator: ", "))
            }
        }
    }

    private static func isOwner(_ owner: String) -> Bool {
        ["self", "amazon", "aws-marketplace"].contains(owner)
            || (owner.utf8.count == 12 && owner.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    }

    private static func seconds(_ key: String, _ value: String) throws(FabricError) -> Double {
        guard let seconds = Double(value), seconds > 0, seconds <= 3600 else {
            throw FabricError.usage("--extra \(key)=\(value): expected a number of seconds from 0 to 3600")
        }
        return seconds
    }

    private static func flag(_ key: String, _ value: String) throws(FabricError) -> Bool {
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default: throw FabricError.usage("--extra \(key)=\(value): expected true or false")
        }
    }
}

/// An AMAZON provider's credentials as the store keeps them: the username is the access key id,
/// the password the secret access key, followed, for temporary credentials, by one space and
/// the session token (neither contains a space). Both stay out of argv, records and traces.
struct AmazonCredentials {
    let accessKeyID: String
    let secretAccessKey: String
    let sessionToken: String?

    init(record: ProviderRecord) throws(FabricError) {
        accessKeyID = record.username
        let parts = record.password.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && Self.isPrintable($0) }) else {
            throw FabricError.provider("the password of AMAZON provider \(quoted(record.id)) is not a secret access key, or a key and a session token separated by one space",
                                       hint: "register it again: fabric provider register \(record.id) --from-env --provider_type AMAZON")
        }
        guard Self.isPrintable(accessKeyID), !accessKeyID.contains(":") else {
            throw FabricError.provider("the access key id of AMAZON provider \(quoted(record.id)) holds a space, colon or control character")
        }
        secretAccessKey = parts[0]
        sessionToken = parts.count == 2 ? parts[1] : nil
    }

    private static func isPrintable(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
