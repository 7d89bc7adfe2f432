import FabricRecords

/// Named groups: the options a group's machines were created with (so a scale makes more of
/// the same), and which of its machines are protected from a scale's removal. A machine's
/// protection is a field of its record (`protected`), so every listing shows it.
extension Store {
    /// Keeps the create options of a group, replacing those kept before: the last create of a
    /// group says what it is made of.
    public func saveGroupOptions(provider: String, group: String, options: [String]) throws(FabricError) {
        try Schema.check(group, fits: "machine_groups", "group_id", as: "group name")
        try database.transaction { () throws(FabricError) in
            try requireProvider(provider)
            try database.run("DELETE FROM machine_groups WHERE provider_id = ? AND group_id = ?", [.text(provider), .text(group)])
            try database.run("INSERT INTO machine_groups (provider_id, group_id, options, updated) VALUES (?, ?, ?, ?)",
                             [.text(provider), .text(group), .text(JSON(options).encoded()), .text(timestamp())])
        }
    }

    /// A group's record: its kept options (nil when no create kept any) and how many of its
    /// machines the store holds; nil when the store knows neither.
    public func group(provider: String, name: String) throws(FabricError) -> JSON? {
        let kept = try database.rows("SELECT options, updated FROM machine_groups WHERE provider_id = ? AND group_id = ?",
                                     [.text(provider), .text(name)]).first
        let count = try database.rows("SELECT count(*) FROM machines WHERE provider_id = ? AND group_id = ?",
                                      [.text(provider), .text(name)]).first?.integer(0) ?? 0
        if kept == nil && count == 0 { return nil }
        let record = JSON.object()
        record["kind"] = JSON("group")
        record["provider_id"] = JSON(provider)
        record["group"] = JSON(name)
        record["machines"] = JSON(count)
        if let kept, let text = kept.text(0), let options = try? JSON.parse(text) {
            record["options"] = options
            record["updated"] = kept.text(1).map(JSON.init) ?? .null
        }
        return record
    }

    /// A group's record; a MachineError naming how to make it when the store knows no such group.
    public func requireGroup(provider: String, name: String) throws(FabricError) -> JSON {
        guard let record = try group(provider: provider, name: name) else {
            throw FabricError(.machine, "group \(quoted(name)) is not known on provider \(quoted(provider))",
                              hint: "make it with: fabric machine create \(provider) --group \(name)")
        }
        return record
    }

    /// Marks machines protected (or not); returns their records as now stored. Every machine
    /// is looked up first, so an unknown one changes nothing.
    public func protect(provider: String, uuids: [String], _ protected: Bool) throws(FabricError) -> [JSON] {
        var records: [JSON] = []
        for uuid in uuids {
            guard let record = try machine(provider: provider, uuid: uuid) else {
                throw FabricError(.machine, "machine \(quoted(uuid)) is not in the store for provider \(quoted(provider))",
                                  hint: "see: fabric machine list \(provider)")
            }
            record["protected"] = protected ? JSON(true) : nil
            records.append(record)
        }
        try addMachines(try records.map { (record) throws(FabricError) in try MachineRow(record) })
        return records
    }
}
