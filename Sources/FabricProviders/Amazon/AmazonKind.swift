import FabricRecords
import FabricStore

/// What Amazon EC2 is to fabric: its settings, what --from-env imports, its default url, its
/// record's check, its boot limits and its provider object. Its name, number and aliases are
/// its case of ProviderType, which the store reads; ProviderTypes.swift lists the kinds.
extension ProviderKind {
    static let amazon = ProviderKind(
        settings: AmazonSettings.table,
        importEnvironment: { variable throws(FabricError) in try AmazonSettings.importEnvironment(variable) },
        defaultURL: { region in "https://ec2.\(region).amazonaws.com" },
        checkRecord: { record throws(FabricError) in try AmazonProvider.validate(record: record) }, bootLimits: .ec2,
        make: { record, _ throws(FabricError) in try AmazonProvider(record: record) })
}
