import FabricProviders
import FabricRecords

/// The wait's side of a hard spread (--spread host): the cloud promises every member a host of
/// its own (or max-per-host members a host), and fabric checks that promise on what the cloud
/// shows its users, each member's hostId, as soon as the member is ACTIVE.
extension StageTracker {
    /// Why a machine in ERROR failed; one a hard spread left without a host says so, with the
    /// policy and the group's size.
    mutating func failure(of machine: Machine, provider: any Provider) -> FabricError {
        let plain = FabricError.machine("machine \(machine.uuid) (\(machine.name)) went to ERROR: \(machine.fault ?? "the provider gave no reason")")
        guard let tag = SpreadTag(machine.spread), tag.isHard, machine.fault?.contains("No valid host") == true,
              let members = try? groupMembers(of: machine, provider: provider) else { return plain }
        return SpreadMessages.unplaceable(machine, tag: tag, groupSize: members.count)
    }

    /// Fails the wait on a member of a hard spread that is ACTIVE on a host already holding as
    /// many of its group as allowed: the members made earlier keep their place, and of this
    /// wait's the one whose name sorts last goes (its create is undone, all or nothing). Nova's
    /// late check turns most such races into ERROR; a cloud that skips it shows them here.
    mutating func checkSpread(_ machines: [String: Machine], provider: any Provider) throws(FabricError) {
        for machine in machines.values.sorted(by: { $0.name < $1.name }) {
            guard machine.isReady, !spreadChecked.contains(machine.uuid), let tag = SpreadTag(machine.spread), tag.isHard,
                  let host = machine.hostID, !host.isEmpty else { continue }
            let earlier = try groupMembers(of: machine, provider: provider).filter { machines[$0.uuid] == nil }
            let ofThisWait = machines.values.filter { $0.group == machine.group && $0.isReady }.sorted { $0.name < $1.name }
            let onHost = (earlier + ofThisWait).filter { $0.hostID == host && !$0.isGone && !$0.isFailed }
            if let place = onHost.firstIndex(where: { $0.uuid == machine.uuid }), place >= tag.maxPerHost {
                throw fail(machine.uuid, SpreadMessages.sharedHost(machine, with: Array(onHost[..<place]), tag: tag))
            }
            spreadChecked.insert(machine.uuid)
        }
    }

    /// The group's members on the provider, listed once per wait.
    private mutating func groupMembers(of machine: Machine, provider: any Provider) throws(FabricError) -> [Machine] {
        let key = provider.record.id + "\u{0}" + (machine.group ?? "")
        if let members = spreadPeers[key] { return members }
        let members = try provider.listMachines().filter { $0.group == machine.group && !$0.isGone }
        spreadPeers[key] = members
        return members
    }
}
