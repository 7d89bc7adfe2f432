/// What boot looks up before it creates anything: the subnet of `--private_network` (by id or by
/// Name tag), the security groups (by name or id), the key pair and the availability zone, so a
/// typo fails with nothing made.

enum EC2Networks {
    static func subnets(_ nameOrID: String) -> EC2Query {
        var query = EC2Query("DescribeSubnets")
        if EC2ID.isShaped(nameOrID, .subnet) {
            query.filter("subnet-id", [nameOrID])
        } else {
            query.filter("tag:Name", [nameOrID])
        }
        return query
    }

    static func securityGroups(names: [String], ids: [String], vpc: String?) -> EC2Query {
        var query = EC2Query("DescribeSecurityGroups")
        if !names.isEmpty { query.filter("group-name", names) }
        if !ids.isEmpty { query.filter("group-id", ids) }
        if let vpc { query.filter("vpc-id", [vpc]) }
        return query
    }

    static func keyPairs(_ name: String) -> EC2Query {
        var query = EC2Query("DescribeKeyPairs")
        query.filter("key-name", [name])
        return query
    }

    static func zones(_ name: String) -> EC2Query {
        var query = EC2Query("DescribeAvailabilityZones")
        query.filter("zone-name", [name])
        return query
    }
}
