import FabricHTTP
import FabricRecords

/// An OPENSTACK provider's `--extra` settings, checked when it is registered so a typo fails then.
struct OpenStackSettings {
    enum AuthType: String, CaseIterable { case password, token, application_credential }

    static let table: [ProviderSetting] = [
        ProviderSetting("region", "the region whose endpoints to use, when the catalog has several", .text),
        ProviderSetting("interface", "which endpoints of the catalog to use", .choice(["public", "internal", "admin"]), default: "public"),
        ProviderSetting("user_domain", "the Keystone domain of the user", .text, default: "Default"),
        ProviderSetting("project_domain", "the Keystone domain of the project", .text, default: "Default"),
        ProviderSetting("auth_type", "what the password is: a password, a token or an application credential's secret",
                        .choice(AuthType.allCases.map(\.rawValue)), default: "password"),
        ProviderSetting("cacert", "a CA file for the endpoints' certificates", .text),
        ProviderSetting("insecure", "true: do not verify the endpoints' certificates", .bool, default: "false"),
        ProviderSetting("timeout", "seconds a request may take", .timeout, default: "60"),
        ProviderSetting("connect_timeout", "seconds to connect", .timeout, default: "10"),
        ProviderSetting("compute_microversion", "the Nova microversion to ask for, instead of the newest fabric knows",
                        .shaped("a version like 2.60", check: { Microversion.parse($0) != nil })),
        ProviderSetting("delete_timeout", "seconds to wait for a deleted machine to be gone", .timeout, default: "120"),
        ProviderSetting("network", "the private network machines go on when machine create names none", .text),
        ProviderSetting("config_drive", "true: attach a config drive to every machine, for clouds without a metadata service",
                        .bool, default: "false"),
    ]

    /// What a sourced openrc file sets: the auth URL, the project, and the credentials its
    /// OS_AUTH_TYPE names (a password, a token or an application credential).
    static func importEnvironment(_ variable: (String) -> String?) throws(FabricError) -> ImportedAccount {
        guard let url = variable("OS_AUTH_URL") else {
            throw FabricError.usage("--from-env needs OS_AUTH_URL (source your cloud's openrc file first)")
        }
        let project = variable("OS_PROJECT_NAME") ?? variable("OS_TENANT_NAME")
        var account: ImportedAccount
        switch variable("OS_AUTH_TYPE") ?? "password" {
        case "v3applicationcredential", "application_credential":
            guard let id = variable("OS_APPLICATION_CREDENTIAL_ID"), let secret = variable("OS_APPLICATION_CREDENTIAL_SECRET") else {
                throw FabricError.usage("--from-env: OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET are needed")
            }
            // A credential is bound to its project: none need be named.
            account = ImportedAccount(username: id, password: secret, url: url, tenant: project ?? "-")
            account.extra.append(("auth_type", AuthType.application_credential.rawValue))
        case let type where ["token", "v3token", "v2token"].contains(type):
            guard let token = variable("OS_TOKEN") else { throw FabricError.usage("--from-env: OS_TOKEN is needed with OS_AUTH_TYPE=\(type)") }
            account = ImportedAccount(username: variable("OS_USERNAME") ?? "token", password: token, url: url, tenant: project ?? "")
            account.extra.append(("auth_type", AuthType.token.rawValue))
        case "password", "v3password", "v2password":
            guard let user = variable("OS_USERNAME"), let password = variable("OS_PASSWORD") else {
                throw FabricError.usage("--from-env: OS_USERNAME and OS_PASSWORD are needed")
            }
            account = ImportedAccount(username: user, password: password, url: url, tenant: project ?? "")
        case let other:
            throw FabricError.usage("--from-env: OS_AUTH_TYPE=\(other) is not password, token or v3applicationcredential")
        }
        if account.tenant.isEmpty { throw FabricError.usage("--from-env needs OS_PROJECT_NAME (or OS_TENANT_NAME)") }
        for (setting, name) in [("user_domain", "OS_USER_DOMAIN_NAME"), ("project_domain", "OS_PROJECT_DOMAIN_NAME"),
                                ("region", "OS_REGION_NAME"), ("interface", "OS_INTERFACE"), ("cacert", "OS_CACERT")] {
            guard var value = variable(name) else { continue }
            // openrc files of older clouds say publicURL where the catalog says public.
            if setting == "interface" && value.hasSuffix("URL") { value.removeLast(3) }
            account.extra.append((setting, value))
        }
        return account
    }

    var region: String?
    var interface: String
    var userDomain: String
    var projectDomain: String
    var authType: AuthType
    var transport = TransportSettings()
    var computeMicroversion: (major: Int, minor: Int)?
    var deleteTimeout: Double
    /// The private network machines go on when machine create names none.
    var network: String?
    /// Attach a config drive to every machine: for clouds without a metadata service.
    var configDrive: Bool

    init(extra: [(key: String, value: String)]) throws(FabricError) {
        let settings = try ProviderSettings(extra, of: .openstack)
        region = settings.text("region")
        interface = settings.text("interface")!
        userDomain = settings.text("user_domain")!
        projectDomain = settings.text("project_domain")!
        authType = AuthType(rawValue: settings.text("auth_type")!)!
        transport.caFile = settings.text("cacert")
        transport.insecure = settings.bool("insecure")
        transport.timeoutSeconds = settings.seconds("timeout")
        transport.connectTimeoutSeconds = settings.seconds("connect_timeout")
        computeMicroversion = settings.text("compute_microversion").flatMap(Microversion.parse)
        deleteTimeout = settings.seconds("delete_timeout")
        network = settings.text("network")
        configDrive = settings.bool("config_drive")
    }
}
