/// An OPENSTACK provider's `--extra` settings, checked when it is registered so a typo fails then.
import FabricHTTP
import FabricRecords

struct OpenStackSettings {
    enum AuthType: String, CaseIterable { case password, token, application_credential }

    static let keys = ["region", "interface", "user_domain", "project_domain", "auth_type", "cacert", "insecure",
                       "timeout", "connect_timeout", "compute_microversion", "delete_timeout", "network", "config_drive"]

    var region: String?
    var interface = "public"
    var userDomain = "Default"
    var projectDomain = "Default"
    var authType = AuthType.password
    var transport = TransportSettings()
    var computeMicroversion: (major: Int, minor: Int)?
    var deleteTimeout = 120.0
    /// The private network machines go on when machine create names none.
    var network: String?
    /// Attach a config drive to every machine: for clouds without a metadata service.
    var configDrive = false

    init(extra: [(key: String, value: String)]) throws(FabricError) {
        for (key, value) in extra {
            switch key {
            case "region": region = value
            case "interface":
                guard ["public", "internal", "admin"].contains(value) else {
                    throw FabricError.usage("--extra interface=\(value): expected public, internal or admin")
                }
                interface = value
            case "user_domain": userDomain = value
            case "network":
                guard !value.isEmpty else { throw FabricError.usage("--extra network=: give a network name or id") }
                network = value
            case "config_drive": configDrive = try Self.boolean(key, value)
            case "project_domain": projectDomain = value
            case "auth_type":
                guard let type = AuthType(rawValue: value) else {
                    throw FabricError.usage("--extra auth_type=\(value): expected password, token or application_credential")
                }
                authType = type
            case "cacert": transport.caFile = value
            case "insecure":
                transport.insecure = try Self.boolean(key, value)
            case "timeout": transport.timeoutSeconds = try Self.seconds(key, value)
            case "connect_timeout": transport.connectTimeoutSeconds = try Self.seconds(key, value)
            case "delete_timeout": deleteTimeout = try Self.seconds(key, value)
            case "compute_microversion":
                guard let version = Microversion.parse(value) else {
                    throw FabricError.usage("--extra compute_microversion=\(value): expected a version like 2.60")
                }
                computeMicroversion = version
            default:
                throw FabricError.usage("--extra \(key)=...: not a setting of OPENSTACK providers",
                                        hint: "known: " + Self.keys.joined(separator: ", "))
            }
        }
    }

    private static func boolean(_ key: String, _ value: String) throws(FabricError) -> Bool {
        guard value == "true" || value == "false" else {
            throw FabricError.usage("--extra \(key)=\(value): expected true or false")
        }
        return value == "true"
    }

    private static func seconds(_ key: String, _ value: String) throws(FabricError) -> Double {
        guard let seconds = Double(value), seconds > 0, seconds <= 3600 else {
            throw FabricError.usage("--extra \(key)=\(value): expected a number of seconds from 0 to 3600")
        }
        return seconds
    }
}
