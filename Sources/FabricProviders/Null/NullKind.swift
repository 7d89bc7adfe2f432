import FabricRecords
import FabricStore

/// What the null provider, a cloud emulated in the store is to fabric: its settings, what --from-env imports, its default url, its
/// record's check, its boot limits and its provider object. Its name, number and aliases are
/// its case of ProviderType, which the store reads; ProviderTypes.swift lists the kinds.
extension ProviderKind {
    static let null = ProviderKind(
        settings: NullSettings.table, importEnvironment: nil, defaultURL: nil,
        checkRecord: { record throws(FabricError) in _ = try NullSettings(extra: record.extra) }, bootLimits: .nova,
        make: { record, store throws(FabricError) in try NullProvider(record: record, store: store) })
}
