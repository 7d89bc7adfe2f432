import FabricRecords
import FabricStore

/// What OpenStack, Nova and its neighbours (Keystone, Glance, Neutron) is to fabric: its settings, what --from-env imports, its default url, its
/// record's check, its boot limits and its provider object. Its name, number and aliases are
/// its case of ProviderType, which the store reads; ProviderTypes.swift lists the kinds.
extension ProviderKind {
    static let openstack = ProviderKind(
        settings: OpenStackSettings.table,
        importEnvironment: { variable throws(FabricError) in try OpenStackSettings.importEnvironment(variable) }, defaultURL: nil,
        checkRecord: { _ throws(FabricError) in }, bootLimits: .nova,
        make: { record, store throws(FabricError) in try OpenStackProvider(record: record, store: store) })
}
