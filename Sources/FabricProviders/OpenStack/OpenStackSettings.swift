/// An OPENSTACK provider's `--extra` settings, checked when it is registered so a typo fails then.
import FabricHTTP
import FabricRecords

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

    /// What a sourced openrc file sets.
    static let fromEnvironment: [EnvironmentImport] = [
        EnvironmentImport("url", from: ["OS_AUTH_URL"]),
        EnvironmentImport("tenant", from: ["OS_PROJECT_NAME", "OS_TENANT_NAME"]),
        EnvironmentImport("username", from: ["OS_USERNAME"], when: "OS_AUTH_TYPE is password, v3password or v2password (or unset)"),
        EnvironmentImport("password", from: ["OS_PASSWORD"], when: "OS_AUTH_TYPE is password, v3password or v2password (or unset)"),
        EnvironmentImport("username", from: ["OS_USERNAME"], when: "OS_AUTH_TYPE is token, v3token or v2token", note: "default: token"),
        EnvironmentImport("password", from: ["OS_TOKEN"], when: "OS_AUTH_TYPE is token, v3token or v2token"),
        EnvironmentImport("extra.auth_type", from: [], when: "OS_AUTH_TYPE is token, v3token or v2token", note: "token"),
        EnvironmentImport("username", from: ["OS_APPLICATION_CREDENTIAL_ID"],
                          when: "OS_AUTH_TYPE is v3applicationcredential or application_credential"),
        EnvironmentImport("password", from: ["OS_APPLICATION_CREDENTIAL_SECRET"],
                          when: "OS_AUTH_TYPE is v3applicationcredential or application_credential"),
        EnvironmentImport("extra.auth_type", from: [], when: "OS_AUTH_TYPE is v3applicationcredential or application_credential",
                          note: "application_credential"),
        EnvironmentImport("extra.user_domain", from: ["OS_USER_DOMAIN_NAME"]),
        EnvironmentImport("extra.project_domain", from: ["OS_PROJECT_DOMAIN_NAME"]),
        EnvironmentImport("extra.region", from: ["OS_REGION_NAME"]),
        EnvironmentImport("extra.interface", from: ["OS_INTERFACE"], note: "without a trailing URL"),
        EnvironmentImport("extra.cacert", from: ["OS_CACERT"]),
    ]

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
