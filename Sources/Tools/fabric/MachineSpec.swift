import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

/// What a machine is made of and when it counts as ready: the options of machine create that a
/// named group keeps, and that machine scale takes to override them.
struct MachineSpec: ParsableArguments {
    static let defaultTimeout = 600.0

    @Option(name: .spec("image"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "An image property to match (name, id, min_disk, min_ram, ...); repeat to narrow.", valueName: "key=value"))
    var image: [String] = []

    @Option(name: .spec("flavor"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "A flavor property to match (name, id, vcpus, ram, disk, swap); repeat to narrow.", valueName: "key=value"))
    var flavor: [String] = []

    @Option(name: .spec("availability_zone"), parsing: .unconditional, help: ArgumentHelp("The availability zone.", valueName: "zone"))
    var availabilityZone: String?

    @Option(name: .spec("spread"), parsing: .unconditional, help: ArgumentHelp(
        "Spread the group's members across failure domains: host (each on a host of its own, or the create fails), soft (on different hosts as far as the cloud can), zone (round-robin over --availability_zones) or none.",
        valueName: "policy"), completion: .list(["host", "soft", "zone", "none"]))
    var spread: String?

    @Option(name: .spec("max_per_host"), parsing: .unconditional, help: ArgumentHelp(
        "With --spread host: how many members one host may hold (default 1), as Nova's max_server_per_host rule (compute API 2.64).", valueName: "n"))
    var maxPerHost: String?

    @Option(name: .spec("availability_zones"), parsing: .unconditional, help: ArgumentHelp(
        "With --spread zone: the zones, comma-separated (on EC2, with --private_network's subnets, one per zone, or each zone's default subnet).",
        valueName: "list"))
    var availabilityZones: String?

    @Option(name: .spec("key_name"), parsing: .unconditional, help: ArgumentHelp("A key pair stored in the cloud, for SSH.", valueName: "name"))
    var keyName: String?

    @Option(name: .spec("security_groups"), parsing: .unconditionalSingleValue, help: ArgumentHelp("Security groups, comma-separated; may be repeated.", valueName: "list"))
    var securityGroups: [String] = []

    @Option(name: .spec("private_network"), parsing: .unconditional, help: ArgumentHelp("The private network; excludes --private_nics.", valueName: "name"))
    var privateNetwork: String?

    @Option(name: .spec("public_network"), parsing: .unconditional, help: ArgumentHelp(
        "A public network to take an address from; implies waiting for the address; excludes --public_nics.", valueName: "name"))
    var publicNetwork: String?

    @Option(name: .spec("userdata"), parsing: .unconditional, help: ArgumentHelp("A cloud-init user-data file.", valueName: "file"), completion: .file())
    var userdata: String?

    @Option(name: .spec("swap"), parsing: .unconditional, help: ArgumentHelp("A swap device of this size, in MB.", valueName: "mb"))
    var swap: String?

    @Option(name: .spec("block_device"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "A block device, dev=id:type:size:delete-on-terminate; may be repeated.", valueName: "spec"))
    var blockDevice: [String] = []

    @Option(name: .spec("scheduler_hints"), parsing: .unconditionalSingleValue, help: ArgumentHelp("A scheduler hint; may be repeated.", valueName: "key=value"))
    var schedulerHints: [String] = []

    @Option(name: .spec("private_nics"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "A private NIC, net-id=ID[,v4-fixed-ip=IP] or port-id=ID; may be repeated.", valueName: "spec"))
    var privateNics: [String] = []

    @Option(name: .spec("public_nics"), parsing: .unconditionalSingleValue, help: ArgumentHelp("A public NIC, net-id=ID or port-id=ID; may be repeated.", valueName: "spec"))
    var publicNics: [String] = []

    @Option(name: .spec("meta"), parsing: .unconditionalSingleValue, help: ArgumentHelp("Metadata for each machine; may be repeated.", valueName: "key=value"))
    var meta: [String] = []

    @Option(name: [.customLong("files"), .customLong("file")], parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "A file to inject into each machine; may be repeated.", valueName: "dst=src"), completion: .file())
    var files: [String] = []

    @Flag(name: .spec("config_drive"), help: "Attach a configuration drive.")
    var configDrive = false

    @Flag(name: .spec("wait_spawning"), help: "Wait until every machine is ready: the stages of --ready, else of the provider's ready setting (default active).")
    var waitSpawning = false

    @Option(name: .spec("ready"), parsing: .unconditional, help: ArgumentHelp(
        "What ready means: stages in order of \(ReadyStage.grammar); implies --wait_spawning.", valueName: "stages"))
    var ready: String?

    @OptionGroup var login: LoginOptions

    @Option(name: .spec("on_ready"), parsing: .unconditional, help: ArgumentHelp(
        "Run this command for each machine once its own stages pass, before replica or synced and before it counts (a failure fails the create, all or nothing); a bare NAME is a recipe (mariadb-replica). Implies --wait_spawning.",
        valueName: "command"))
    var onReady: String?

    @Option(name: .spec("before_destroy"), parsing: .unconditional, help: ArgumentHelp(
        "Run this command for each member before machine destroy or scale destroys it (to drain it); a bare NAME is a recipe.",
        valueName: "command"))
    var beforeDestroy: String?

    @Option(name: .spec("hook_timeout"), parsing: .unconditional, help: ArgumentHelp("The longest a hook may run, in seconds (default 600).", valueName: "seconds"))
    var hookTimeout: String?

    @Option(name: .spec("timeout"), parsing: .unconditional, help: ArgumentHelp("How long to wait, in seconds (default 600).", valueName: "seconds"))
    var timeout: String?

    func validate() throws {
        if ready?.isEmpty == true { throw FabricError.usage("--ready needs stages (\(ReadyStage.grammar)); it was given none") }
        _ = try Arguments.seconds(timeout, option: "--timeout", default: Self.defaultTimeout)
    }

    /// Whether the create waits: asked for, or implied by --ready, --public_network or --on_ready.
    var waits: Bool { waitSpawning || ready != nil || publicNetwork != nil || onReady != nil }

    /// fabric-wait's options: the stages (a public network alone: its address), the login.
    var waitArguments: [String] {
        var arguments = ["--timeout=\(timeoutText)"]
        if let ready {
            arguments.append("--until=\(ready)")
        } else if publicNetwork != nil && !waitSpawning && onReady == nil {
            arguments.append("--until=address")
        }
        if let onReady { arguments.append("--on-ready=\(onReady)") }
        if let hookTimeout { arguments.append("--hook-timeout=\(hookTimeout)") }
        return arguments + login.waitArguments
    }

    /// The port of the mysql stage --ready names (the group stages and the roles use it).
    var mysqlPort: Int {
        let chain = (try? ready.map { text throws(FabricError) in try ReadyStage.chain(parsing: text, option: "--ready") }) ?? nil
        for case .mysql(let port) in (chain ?? []).reversed() { return port }
        return ReadyStage.mysqlDefaultPort
    }

    /// How fabric-scale and fabric-destroy read the members' roles: the login, its port, the address.
    var roleArguments: [String] {
        guard let user = login.mysqlUser else { return [] }
        return ["--mysql-user=\(user)", "--mysql-port=\(mysqlPort)"] + (login.address.map { ["--address=\($0)"] } ?? [])
            + (login.mysqlTLS ? ["--mysql-tls"] : [])
    }

    /// fabric-destroy's options for a member of a group kept with these: its before_destroy
    /// hook, told the roles.
    var destroyArguments: [String] {
        guard let beforeDestroy else { return [] }
        return ["--before-destroy=\(beforeDestroy)"] + (hookTimeout.map { ["--hook-timeout=\($0)"] } ?? []) + roleArguments
    }

    var timeoutText: String { timeout ?? "600" }

    /// fabric-boot's options for these machines.
    var bootArguments: [String] {
        var arguments: [String] = []
        let valued: [(String, String?)] = [("--availability-zone", availabilityZone), ("--key-name", keyName),
                                           ("--private-network", privateNetwork), ("--public-network", publicNetwork),
                                           ("--userdata", userdata), ("--swap", swap), ("--spread", spread),
                                           ("--max-per-host", maxPerHost), ("--availability-zones", availabilityZones)]
        for case let (name, value?) in valued { arguments.append("\(name)=\(value)") }
        let repeated: [(String, [String])] = [("--security-groups", securityGroups), ("--block-device", blockDevice),
                                              ("--scheduler-hints", schedulerHints), ("--private-nics", privateNics),
                                              ("--public-nics", publicNics), ("--meta", meta), ("--files", files)]
        for (name, values) in repeated { arguments += values.map { "\(name)=\($0)" } }
        if configDrive { arguments.append("--config-drive") }
        return arguments
    }

    /// The options a named group keeps for machine scale to make more of the same: these, each
    /// as --name=value in one word; a user-data file by its absolute path; not the password file
    /// (which may be /dev/fd/N).
    var kept: [String] {
        var words = image.map { "--image=\($0)" } + flavor.map { "--flavor=\($0)" }
        let valued: [(String, String?)] = [("--availability_zone", availabilityZone), ("--key_name", keyName),
                                           ("--private_network", privateNetwork), ("--public_network", publicNetwork),
                                           ("--swap", swap), ("--spread", spread), ("--max_per_host", maxPerHost),
                                           ("--availability_zones", availabilityZones), ("--ready", ready), ("--address", login.address),
                                           ("--mysql_user", login.mysqlUser), ("--timeout", timeout),
                                           ("--on_ready", onReady), ("--before_destroy", beforeDestroy), ("--hook_timeout", hookTimeout),
                                           ("--userdata", userdata.map(absolutePath))]
        for case let (name, value?) in valued { words.append("\(name)=\(value)") }
        let repeated: [(String, [String])] = [("--security_groups", securityGroups), ("--block_device", blockDevice),
                                              ("--scheduler_hints", schedulerHints), ("--private_nics", privateNics),
                                              ("--public_nics", publicNics), ("--meta", meta), ("--files", files)]
        for (name, values) in repeated { words += values.map { "\(name)=\($0)" } }
        for (name, set) in [("--config_drive", configDrive), ("--wait_spawning", waitSpawning), ("--mysql_tls", login.mysqlTLS)] where set {
            words.append(name)
        }
        return words
    }

    /// What makes members alike: a digest of the kept options and of the user data's content,
    /// which each member of a named group carries (meta fabric_spec) so that machine refresh
    /// knows which were made otherwise.
    var digest: String {
        var text = kept.joined(separator: "\u{0}")
        if let userdata, case .success(let bytes) = readFile(userdata) { text += "\u{0}" + FNV1a.hex(String(decoding: bytes, as: UTF8.self)) }
        return FNV1a.hex(text)
    }

    /// The options a named group keeps, each one `given` names put in their place: what
    /// machine scale and machine refresh make members of. A group that keeps none (not made by
    /// machine create --group) takes the given ones alone when they name an image and a flavor.
    static func ofGroup(_ group: String, provider: String, store: Store, overriddenBy given: MachineSpec) throws(FabricError) -> MachineSpec {
        let kept = try store.requireGroup(provider: provider, name: group)["options"]?.items.compactMap(\.string)
        if kept == nil && (given.image.isEmpty || given.flavor.isEmpty) {
            throw FabricError.usage("group \(group) keeps no create options (it was not made by machine create --group): give --image and --flavor")
        }
        do {
            return try MachineSpec.parse(kept ?? []).overridden(by: given)
        } catch {
            throw FabricError.usage("group \(group)'s kept options no longer parse: \(MachineSpec.message(for: error))")
        }
    }

    /// This spec with each option `other` gives put in place of this one's.
    func overridden(by other: MachineSpec) -> MachineSpec {
        func pick<T>(_ mine: T?, _ theirs: T?) -> T? { theirs ?? mine }
        func pick(_ mine: [String], _ theirs: [String]) -> [String] { theirs.isEmpty ? mine : theirs }
        var result = self
        result.image = pick(image, other.image)
        result.flavor = pick(flavor, other.flavor)
        result.availabilityZone = pick(availabilityZone, other.availabilityZone)
        result.keyName = pick(keyName, other.keyName)
        result.spread = pick(spread, other.spread)
        result.maxPerHost = pick(maxPerHost, other.maxPerHost)
        result.availabilityZones = pick(availabilityZones, other.availabilityZones)
        result.securityGroups = pick(securityGroups, other.securityGroups)
        result.privateNetwork = pick(privateNetwork, other.privateNetwork)
        result.publicNetwork = pick(publicNetwork, other.publicNetwork)
        result.userdata = pick(userdata, other.userdata)
        result.swap = pick(swap, other.swap)
        result.blockDevice = pick(blockDevice, other.blockDevice)
        result.schedulerHints = pick(schedulerHints, other.schedulerHints)
        result.privateNics = pick(privateNics, other.privateNics)
        result.publicNics = pick(publicNics, other.publicNics)
        result.meta = pick(meta, other.meta)
        result.files = pick(files, other.files)
        result.configDrive = configDrive || other.configDrive
        result.waitSpawning = waitSpawning || other.waitSpawning
        result.ready = pick(ready, other.ready)
        result.login = login.overridden(by: other.login)
        result.timeout = pick(timeout, other.timeout)
        result.onReady = pick(onReady, other.onReady)
        result.beforeDestroy = pick(beforeDestroy, other.beforeDestroy)
        result.hookTimeout = pick(hookTimeout, other.hookTimeout)
        return result
    }
}

/// How the port and mysql stages reach a machine and log in.
struct LoginOptions: ParsableArguments {
    @Option(name: .spec("address"), parsing: .unconditional, help: ArgumentHelp(
        "The address the port and mysql stages connect to: auto (public, else private), public or private.", valueName: "kind"),
            completion: .list(["auto", "public", "private"]))
    var address: String?

    @Option(name: .spec("mysql_user"), parsing: .unconditional, help: ArgumentHelp(
        "With a mysql stage, log in as this user and run SELECT 1; the password from --mysql_password_file or $FABRIC_MYSQL_PASSWORD.",
        valueName: "name"))
    var mysqlUser: String?

    @Option(name: .spec("mysql_password_file"), parsing: .unconditional, help: ArgumentHelp("The MySQL password of --mysql_user, this file's first line.",
                                                                   valueName: "file"), completion: .file())
    var mysqlPasswordFile: String?

    @Flag(name: .spec("mysql_tls"), help: "Refuse the MySQL login without TLS (MySQL 8 caching_sha2_password users need TLS for a first login).")
    var mysqlTLS = false

    var waitArguments: [String] {
        var arguments: [String] = []
        if let address { arguments.append("--address=\(address)") }
        if let mysqlUser { arguments.append("--mysql-user=\(mysqlUser)") }
        if mysqlTLS { arguments.append("--mysql-tls") }
        return arguments
    }

    /// The MySQL password, read once from its file (which may be /dev/fd/N) into the
    /// environment of every tool, hook and background job this command starts: never argv.
    func exportPassword() throws(FabricError) {
        guard let mysqlPasswordFile else { return }
        guard mysqlUser != nil else { throw FabricError.usage("--mysql_password_file and --mysql_tls go with --mysql_user") }
        do {
            setenv("FABRIC_MYSQL_PASSWORD", try readFirstLine(mysqlPasswordFile), 1)
        } catch {
            // `cannot read "FILE": why`, said of the option that named it.
            throw FabricError.usage("--mysql_password_file " + (error.message.hasPrefix("cannot read ") ? String(error.message.dropFirst(12)) : error.message))
        }
    }

    func overridden(by other: LoginOptions) -> LoginOptions {
        var result = self
        result.address = other.address ?? address
        result.mysqlUser = other.mysqlUser ?? mysqlUser
        result.mysqlPasswordFile = other.mysqlPasswordFile ?? mysqlPasswordFile
        result.mysqlTLS = mysqlTLS || other.mysqlTLS
        return result
    }
}

func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    return String(cString: buffer) + "/" + path
}
