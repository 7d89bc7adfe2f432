import FabricRecords

/// Keystone: the request bodies (v3 password, token and application credential; v2.0 password)
/// and the catalog in the reply. One authentication per process; see OpenStackSession.
enum Identity {
    enum Version { case v2, v3 }

    /// Where tokens are asked for: a URL ending in /v2.0 speaks v2.0 (as in the spec's
    /// examples); one ending in /v3 speaks v3; a bare Keystone root gets /v3.
    static func endpoint(for url: String) -> (url: String, version: Version) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v2.0") { return (base + "/tokens", .v2) }
        if base.hasSuffix("/v3") { return (base + "/auth/tokens", .v3) }
        return (base + "/v3/auth/tokens", .v3)
    }

    static func v3Body(_ record: ProviderRecord, _ settings: OpenStackSettings) -> JSON {
        let identity = JSON.object()
        var scoped = true
        switch settings.authType {
        case .password:
            identity["methods"] = JSON(["password"])
            identity["password"] = JSON(["user": JSON([
                "name": JSON(record.username), "domain": JSON(["name": JSON(settings.userDomain)]),
                "password": JSON(record.password)])])
        case .token:
            identity["methods"] = JSON(["token"])
            identity["token"] = JSON(["id": JSON(record.password)])
        case .application_credential:
            identity["methods"] = JSON(["application_credential"])
            identity["application_credential"] = JSON(["id": JSON(record.username), "secret": JSON(record.password)])
            scoped = false   // an application credential carries its own project
        }
        let auth = JSON(["identity": identity])
        if scoped {
            auth["scope"] = JSON(["project": JSON([
                "name": JSON(record.tenant), "domain": JSON(["name": JSON(settings.projectDomain)])])])
        }
        return JSON(["auth": auth])
    }

    static func v2Body(_ record: ProviderRecord, _ settings: OpenStackSettings) -> JSON {
        let auth = JSON(["tenantName": JSON(record.tenant)])
        if settings.authType == .token {
            auth["token"] = JSON(["id": JSON(record.password)])
        } else {
            auth["passwordCredentials"] = JSON(["username": JSON(record.username), "password": JSON(record.password)])
        }
        return JSON(["auth": auth])
    }

    /// The endpoint of each service type, for the chosen interface and region.
    static func catalog(_ body: JSON, version: Version, settings: OpenStackSettings) -> [String: String] {
        var endpoints: [String: String] = [:]
        switch version {
        case .v3:
            for service in body["token"]?["catalog"]?.items ?? [] {
                guard let type = service["type"]?.string else { continue }
                let match = service["endpoints"]?.items.first { endpoint in
                    endpoint["interface"]?.string == settings.interface
                        && (settings.region == nil || endpoint["region"]?.string == settings.region
                            || endpoint["region_id"]?.string == settings.region)
                }
                if let url = match?["url"]?.string { endpoints[type] = url }
            }
        case .v2:
            for service in body["access"]?["serviceCatalog"]?.items ?? [] {
                guard let type = service["type"]?.string else { continue }
                let match = service["endpoints"]?.items.first { settings.region == nil || $0["region"]?.string == settings.region }
                if let url = match?[settings.interface + "URL"]?.string { endpoints[type] = url }
            }
        }
        return endpoints
    }
}
