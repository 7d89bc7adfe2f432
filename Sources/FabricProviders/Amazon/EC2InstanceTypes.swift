import FabricHTTP
import FabricRecords

/// EC2 instance types, as the flavors fabric-find-flavor searches: the instance type is both
/// id and name, vcpus and ram (MiB) are the spec's keys. The root disk comes from the image
/// (EBS), so disk is 0, which every image fits; instance storage is `ephemeral`, in GB.
enum EC2InstanceTypes {
    /// The instance types that may match `search`: the one named by id or name
    /// (InstanceType.1), else those DescribeInstanceTypes' filters select.
    static func describe(matching search: CatalogQuery) -> EC2Query {
        var query = EC2Query("DescribeInstanceTypes")
        if let type = byName(search) {
            query.list("InstanceType", [type])
            return query
        }
        for (key, filter) in [("vcpus", "vcpu-info.default-vcpus"), ("ram", "memory-info.size-in-mib")] {
            if let number = search.wholeNumber(key) { query.filter(filter, [String(number)]) }
        }
        for (key, filter) in [("current_generation", "current-generation"), ("burstable", "burstable-performance-supported"),
                              ("hypervisor", "hypervisor"), ("network_performance", "network-info.network-performance")] {
            if let value = search.value(key), !value.contains("\\") { query.filter(filter, [value]) }
        }
        // A type that supports several lists them joined; one architecture selects a superset.
        if let architecture = search.value("architecture"), !architecture.contains(","), !architecture.contains("\\") {
            query.filter("processor-info.supported-architecture", [architecture])
        }
        return query
    }

    /// The instance type a search names: its id, which is its name. EC2 refuses a name it
    /// does not know (InvalidInstanceType) rather than answering with none, and so does a
    /// text that could not be one.
    static func byName(_ search: CatalogQuery) -> String? {
        search.value("id") ?? search.value("name")
    }

    /// What an instance type's name is made of (m5.large, u-6tb1.metal): anything else names none.
    static func isShaped(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }

    static func searchable(_ type: XMLTree) -> JSON? {
        guard let name = type.text("instanceType") else { return nil }
        let object = JSON.object()
        object["id"] = JSON(name)
        object["name"] = JSON(name)
        object["vcpus"] = JSON(type.text("vCpuInfo", "defaultVCpus").flatMap(Int.init) ?? 0)
        object["ram"] = JSON(type.text("memoryInfo", "sizeInMiB").flatMap(Int.init) ?? 0)
        object["disk"] = JSON(0)
        object["swap"] = JSON(0)
        object["ephemeral"] = JSON(type.text("instanceStorageInfo", "totalSizeInGB").flatMap(Int.init) ?? 0)
        let architectures = type["processorInfo"]?.items("supportedArchitectures").map(\.text) ?? []
        if !architectures.isEmpty { object["architecture"] = JSON(architectures.joined(separator: ",")) }
        for (key, field) in [("current_generation", "currentGeneration"), ("burstable", "burstablePerformanceSupported"),
                             ("hypervisor", "hypervisor")] {
            if let value = type.text(field) { object[key] = JSON(value) }
        }
        if let network = type.text("networkInfo", "networkPerformance") { object["network_performance"] = JSON(network) }
        return object
    }
}
