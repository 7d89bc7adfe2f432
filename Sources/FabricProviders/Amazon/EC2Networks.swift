import FabricHTTP
import FabricRecords

/// What boot looks up before it creates anything: the subnet of `--private_network` (by id or by
/// Name tag), the security groups (by name or id), the key pair and the availability zone, so a
/// typo fails with nothing made.

enum EC2Networks {
    /// Exactly these subnets, by id (a zone spread's list).
    static func subnets(ids: [String]) -> EC2Query {
        var query = EC2Query("DescribeSubnets")
        query.filter("subnet-id", ids)
        return query
    }

    /// The default VPC's subnets (one per zone), of these zones or of every zone.
    static func defaultSubnets(zones: [String]) -> EC2Query {
        var query = EC2Query("DescribeSubnets")
        query.filter("default-for-az", ["true"])
        if !zones.isEmpty { query.filter("availability-zone", zones) }
        return query
    }

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

/// A subnet as DescribeSubnets shows it: its id, VPC and zone.
struct EC2Subnet {
    let id: String
    let vpc: String?
    let zone: String?

    init(id: String, vpc: String?, zone: String?) {
        self.id = id
        self.vpc = vpc
        self.zone = zone
    }

    init?(_ item: XMLTree) {
        guard let id = item.text("subnetId") else { return nil }
        self.init(id: id, vpc: item.text("vpcId"), zone: item.text("availabilityZone"))
    }
}
