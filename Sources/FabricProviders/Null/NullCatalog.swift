import FabricRecords

/// The null provider's fixed catalog: what a small OpenStack region would offer a MySQL team.
/// Ids are stable so tests and examples can name them.
enum NullCatalog {
    struct Image {
        let id: String, name: String, minDisk: Int, minRam: Int, status: String, properties: [(String, String)]
    }
    struct Flavor {
        let id: String, name: String, vcpus: Int, ram: Int, disk: Int, swap: Int, ephemeral: Int
    }
    struct Network {
        let id: String, name: String, prefix: String, external: Bool
    }

    static let images: [Image] = [
        Image(id: "8f7a3c6e-1d2b-4e5f-9a0b-1c2d3e4f5a01", name: "ubuntu-24.04-mysql-8.4", minDisk: 10, minRam: 1024,
              status: "active", properties: [("os_distro", "ubuntu"), ("os_version", "24.04"), ("mysql_version", "8.4")]),
        Image(id: "8f7a3c6e-1d2b-4e5f-9a0b-1c2d3e4f5a02", name: "oraclelinux-9-mysql-8.0", minDisk: 20, minRam: 2048,
              status: "active", properties: [("os_distro", "ol"), ("os_version", "9"), ("mysql_version", "8.0")]),
        Image(id: "8f7a3c6e-1d2b-4e5f-9a0b-1c2d3e4f5a03", name: "debian-12-cloudinit", minDisk: 4, minRam: 512,
              status: "active", properties: [("os_distro", "debian"), ("os_version", "12")]),
        Image(id: "8f7a3c6e-1d2b-4e5f-9a0b-1c2d3e4f5a04", name: "cirros-0.6.2", minDisk: 1, minRam: 64,
              status: "active", properties: [("os_distro", "cirros"), ("os_version", "0.6.2")]),
        Image(id: "8f7a3c6e-1d2b-4e5f-9a0b-1c2d3e4f5a05", name: "ubuntu-20.04-mysql-5.7", minDisk: 10, minRam: 1024,
              status: "deactivated", properties: [("os_distro", "ubuntu"), ("os_version", "20.04"), ("mysql_version", "5.7")]),
    ]

    static let flavors: [Flavor] = [
        Flavor(id: "1", name: "m1.tiny", vcpus: 1, ram: 512, disk: 1, swap: 0, ephemeral: 0),
        Flavor(id: "2", name: "m1.small", vcpus: 1, ram: 2048, disk: 20, swap: 0, ephemeral: 0),
        Flavor(id: "3", name: "m1.medium", vcpus: 2, ram: 4096, disk: 40, swap: 0, ephemeral: 0),
        Flavor(id: "4", name: "m1.large", vcpus: 4, ram: 8192, disk: 80, swap: 0, ephemeral: 0),
        Flavor(id: "5", name: "m1.xlarge", vcpus: 8, ram: 16384, disk: 160, swap: 0, ephemeral: 0),
        Flavor(id: "6", name: "db.mysql.medium", vcpus: 2, ram: 4096, disk: 40, swap: 1024, ephemeral: 10),
    ]

    /// Documentation address ranges only (RFC 5737), so nothing the emulator prints is routable.
    static let networks: [Network] = [
        Network(id: "4a1c1f3e-5b6d-4c7e-8f90-a1b2c3d4e501", name: "private", prefix: "198.51.100.", external: false),
        Network(id: "4a1c1f3e-5b6d-4c7e-8f90-a1b2c3d4e502", name: "private2", prefix: "192.0.2.", external: false),
        Network(id: "4a1c1f3e-5b6d-4c7e-8f90-a1b2c3d4e503", name: "public", prefix: "203.0.113.", external: true),
    ]

    static let securityGroups: Set<String> = ["default", "mysql", "ssh"]

    static func network(_ nameOrID: String) -> Network? {
        networks.first { $0.name == nameOrID || $0.id == nameOrID }
    }

    static func json(_ image: Image) -> JSON {
        let object = JSON.object()
        object["id"] = JSON(image.id)
        object["name"] = JSON(image.name)
        object["status"] = JSON(image.status)
        object["min_disk"] = JSON(image.minDisk)
        object["min_ram"] = JSON(image.minRam)
        object["visibility"] = JSON("public")
        object["image_type"] = JSON("image")
        for (key, value) in image.properties { object[key] = JSON(value) }
        return object
    }

    static func json(_ flavor: Flavor) -> JSON {
        let object = JSON.object()
        object["id"] = JSON(flavor.id)
        object["name"] = JSON(flavor.name)
        object["vcpus"] = JSON(flavor.vcpus)
        object["ram"] = JSON(flavor.ram)
        object["disk"] = JSON(flavor.disk)
        object["swap"] = JSON(flavor.swap)
        object["ephemeral"] = JSON(flavor.ephemeral)
        object["rxtx_factor"] = JSON(1.0)
        return object
    }
}
