import FabricRecords

/// Elastic IP addresses: the public address of `--public_network POOL`, allocated from Amazon's
/// pool (`amazon`) or a public IPv4 pool of the account, tagged with its machine so it is found
/// and released with the machine even if the association never happened.
enum EC2Addresses {
    static let amazonPool = "amazon"

    /// The pool names a user may give: `amazon`, or a public IPv4 pool id.
    static func checkPool(_ pool: String) throws(FabricError) {
        guard pool == amazonPool || EC2ID.isShaped(pool, .pool) else {
            throw FabricError.usage("public network \(quoted(pool)) is not an Elastic IP pool of EC2",
                                    hint: "use --public_network amazon for Amazon's pool, or the id of a public IPv4 pool (ipv4pool-ec2-...)")
        }
    }

    static func allocate(pool: String, machine: String, providerID: String) -> EC2Query {
        var query = EC2Query("AllocateAddress")
        query.set("Domain", "vpc")
        if pool != amazonPool { query.set("PublicIpv4Pool", pool) }
        query.tag("elastic-ip", FabricMetadata.belongingTags(machine: machine, providerID: providerID))
        return query
    }

    static func associate(_ allocation: String, machine: String) -> EC2Query {
        var query = EC2Query("AssociateAddress")
        query.set("AllocationId", allocation)
        query.set("InstanceId", machine)
        return query
    }

    /// The addresses associated with the machine.
    static func describe(associatedWith machine: String) -> EC2Query {
        var query = EC2Query("DescribeAddresses")
        query.filter("instance-id", [machine])
        return query
    }

    /// The addresses fabric allocated for the machine, associated or not.
    static func describe(taggedFor machine: String) -> EC2Query {
        var query = EC2Query("DescribeAddresses")
        query.filter("tag:" + FabricMetadata.snapshotOf, [machine])
        return query
    }

    static func disassociate(_ association: String) -> EC2Query {
        var query = EC2Query("DisassociateAddress")
        query.set("AssociationId", association)
        return query
    }

    static func release(_ allocation: String) -> EC2Query {
        var query = EC2Query("ReleaseAddress")
        query.set("AllocationId", allocation)
        return query
    }
}
