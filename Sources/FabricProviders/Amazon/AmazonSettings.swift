import FabricHTTP
import FabricRecords

/// An AMAZON provider's `--extra` settings, checked when it is registered so a typo fails then.
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

    /// The AWS CLI's variables: the key pair, a session token of temporary credentials (kept
    /// after the secret, one space between), the region and an endpoint; without one, the
    /// region's (`defaultURL`).
    static func importEnvironment(_ variable: (String) -> String?) throws(FabricError) -> ImportedAccount {
        guard let key = variable("AWS_ACCESS_KEY_ID"), let secret = variable("AWS_SECRET_ACCESS_KEY") else {
            throw FabricError.usage("--from-env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or export them from: aws configure export-credentials --format env)")
        }
        guard let region = variable("AWS_REGION") ?? variable("AWS_DEFAULT_REGION") else {
            throw FabricError.usage("--from-env needs AWS_REGION (or AWS_DEFAULT_REGION)")
        }
        let password = variable("AWS_SESSION_TOKEN").map { secret + " " + $0 } ?? secret
        return ImportedAccount(username: key, password: password, url: variable("AWS_ENDPOINT_URL_EC2") ?? variable("AWS_ENDPOINT_URL") ?? "-",
                               tenant: region)
    }

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
