/// EC2 instance types, as the flavors fabric-find-flavor searches: the instance type is both
/// id and name, vcpus and ram (MiB) are the spec's keys. The root disk comes from the image
/// (EBS), so disk is 0, which every image fits; instance storage is `ephemeral`, in GB.
import FabricHTTP
import FabricRecords

enum EC2InstanceTypes {
    static func describe() -> EC2Query { EC2Query("DescribeInstanceTypes") }

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
