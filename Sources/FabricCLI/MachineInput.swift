import FabricRecords
import ArgumentParser

/// Machines named on the command line (UUIDs with -p) or machine records on standard input:
/// the input of fabric-destroy and fabric-snapshot.
public struct MachineInput: ParsableArguments {
    @Argument(help: ArgumentHelp("Machine UUIDs (with -p); without them, records are read.", valueName: "uuid"))
    public var uuids: [String] = []

    public init() {}

    /// Every input record, read to the end before the tool acts, so that a malformed record
    /// anywhere fails the run before anything is changed.
    public func records(provider: String?) throws(FabricError) -> [JSON] {
        if uuids.isEmpty {
            var reader = RecordReader()
            return try reader.readAll()
        }
        guard let provider else { throw FabricError.usage("machine UUIDs need -p ID") }
        for uuid in uuids { try Identifier.machine.check(uuid) }
        return uuids.map { JSON(["kind": JSON("machine"), "provider_id": JSON(provider), "uuid": JSON($0)]) }
    }
}
