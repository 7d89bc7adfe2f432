/// OPENSTACK: Keystone, Nova, Glance and Neutron over HTTP (issue 3 fills this in).
final class OpenStackProvider: Provider {
    let record: ProviderRecord

    init(record: ProviderRecord) throws(FabricError) {
        self.record = record
    }

    static func validate(extra: [(key: String, value: String)]) throws(FabricError) {}

    private func unsupported() -> FabricError {
        FabricError.provider("OPENSTACK providers are not supported by this build yet")
    }

    func images() throws(FabricError) -> [JSON] { throw unsupported() }
    func flavors() throws(FabricError) -> [JSON] { throw unsupported() }
    func boot(_ request: BootRequest) throws(FabricError) -> [Machine] { throw unsupported() }
    func describeBoot(_ request: BootRequest) throws(FabricError) -> [JSON] { throw unsupported() }
    func machines(_ uuids: [String]) throws(FabricError) -> [Machine] { throw unsupported() }
    func listMachines() throws(FabricError) -> [Machine] { throw unsupported() }
    func destroy(_ uuid: String) throws(FabricError) { throw unsupported() }
    func attachPublicAddress(_ uuid: String, network: String) throws(FabricError) -> String { throw unsupported() }
    func createSnapshot(of uuid: String, name: String) throws(FabricError) -> Snapshot { throw unsupported() }
    func snapshots(of uuid: String) throws(FabricError) -> [Snapshot] { throw unsupported() }
    func snapshots(_ ids: [String]) throws(FabricError) -> [Snapshot] { throw unsupported() }
    func destroySnapshot(_ id: String) throws(FabricError) { throw unsupported() }
}
