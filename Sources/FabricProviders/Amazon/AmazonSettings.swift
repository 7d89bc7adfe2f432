/// An AMAZON provider's `--extra` settings, checked when it is registered so a typo fails then.
import FabricHTTP
import FabricRecords

struct AmazonSettings {
    static let table: [ProviderSetting] = [
        ProviderSetting("image_owners", "whose images find-image searches: self, amazon, aws-marketplace or account ids, comma-separated",
                        .list(item: { owner in isOwner(owner) ? nil : "\(quoted(owner)) is not self, amazon, aws-marketplace or a 12-digit account id" }),
                        default: "self"),
        ProviderSetting("snapshot_reboot", "true: EC2 reboots a machine to snapshot a clean file system", .bool, default: "false"),
        ProviderSetting("delete_timeout", "seconds to wait for a machine to be terminated", .timeout, default: "300"),
        ProviderSetting("max_attempts", "tries of a request EC2 throttles or fails transiently", .count(1...20), default: "5"),
        ProviderSetting("timeout", "seconds a request may take", .timeout, default: "60"),
        ProviderSetting("connect_timeout", "seconds to connect", .timeout, default: "10"),
        ProviderSetting("cacert", "a CA file for the endpoint's certificate", .text),
        ProviderSetting("insecure", "true: do not verify the endpoint's certificate", .bool, default: "false"),
    ]

    /// The AWS CLI's variables; the endpoint, when none is set, follows from the region.
    static let fromEnvironment: [EnvironmentImport] = [
        EnvironmentImport("username", from: ["AWS_ACCESS_KEY_ID"]),
        EnvironmentImport("password", from: ["AWS_SECRET_ACCESS_KEY"],
                          note: "followed by one space and AWS_SESSION_TOKEN when that is set"),
        EnvironmentImport("tenant", from: ["AWS_REGION", "AWS_DEFAULT_REGION"]),
        EnvironmentImport("url", from: ["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"],
                          note: "when neither is set: https://ec2.REGION.amazonaws.com"),
    ]

    var imageOwners: [String]
    var snapshotReboot: Bool
    var deleteTimeout: Double
    var maxAttempts: Int
    var transport = TransportSettings()

    init(extra: [(key: String, value: String)]) throws(FabricError) {
        let settings = try ProviderSettings(extra, of: .amazon)
        imageOwners = settings.list("image_owners")
        snapshotReboot = settings.bool("snapshot_reboot")
        deleteTimeout = settings.seconds("delete_timeout")
        maxAttempts = settings.count("max_attempts")!
        transport.timeoutSeconds = settings.seconds("timeout")
        transport.connectTimeoutSeconds = settings.seconds("connect_timeout")
        transport.caFile = settings.text("cacert")
        transport.insecure = settings.bool("insecure")
    }

    private static func isOwner(_ owner: String) -> Bool {
        ["self", "amazon", "aws-marketplace"].contains(owner)
            || (owner.utf8.count == 12 && owner.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
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
