import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

struct ProviderRegister: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Register a provider.",
        usage: """
            fabric provider register <provider_id> <username> <password> <url> <tenant> [options]
              fabric provider register <provider_id> <username> <url> <tenant> (--password-file FILE | --password-stdin | --password-env VAR) [options]
              fabric provider register <provider_id> --from-env [options]
            """,
        discussion: """
            Registers a provider; an existing id is a ProviderError (exit 2). The password goes to \
            fabric-store on a pipe, never in argv. With 4 arguments the password comes from \
            --password-file, --password-stdin, --password-env or $FABRIC_PASSWORD.

              fabric-store register ID --type TYPE --username USER --url URL --tenant TENANT
                  [--default-image NAME] [--default-flavor NAME] [--extra KEY=VALUE]... --password-file /dev/stdin
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("provider_id username [password] url tenant, or provider_id alone with --from-env.",
                                 valueName: "provider_id username password url tenant"))
    var words: [String] = []

    @Option(name: .spec("provider_type"), help: ArgumentHelp(
        "The kind of cloud, by default OPENSTACK; fabric-tools --provider-types lists the kinds with their aliases and settings. AMAZON: USERNAME is the access key id, PASSWORD the secret access key, URL the EC2 endpoint (- for https://ec2.REGION.amazonaws.com), TENANT the region.",
        valueName: "type"), completion: .list(ProviderType.all.flatMap { [$0.name] + $0.aliases }))
    var providerType: String?

    @Option(name: .spec("default_image"), help: ArgumentHelp("The image booted when machine create gets no --image.", valueName: "name"))
    var defaultImage: String?

    @Option(name: .spec("default_flavor"), help: ArgumentHelp("The flavor used when machine create gets no --flavor.", valueName: "name"))
    var defaultFlavor: String?

    @Option(name: .spec("extra"), help: ArgumentHelp("A setting of the provider type; may be repeated.", valueName: "key=value"))
    var extra: [String] = []

    @Option(name: .spec("password-file"), help: ArgumentHelp("Read the password from this file's first line (with 4 arguments).",
                                                             valueName: "file"), completion: .file())
    var passwordFile: String?

    @Flag(name: .spec("password-stdin"), help: "Read the password from standard input (with 4 arguments).")
    var passwordStdin = false

    @Option(name: .spec("password-env"), help: ArgumentHelp(
        "Take the password from this environment variable (with 4 arguments); otherwise $FABRIC_PASSWORD.", valueName: "var"))
    var passwordEnv: String?

    @Flag(name: .spec("from-env"), help: ArgumentHelp(
        "Take the URL, user, password, tenant and settings from the OS_* variables of a sourced openrc file; with --provider_type AMAZON from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (or AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL_EC2 (or AWS_ENDPOINT_URL)."))
    var fromEnv = false

    func validate() throws {
        let sources = [passwordFile != nil, passwordStdin, passwordEnv != nil].filter { $0 }.count
        if sources > 1 { throw FabricError.usage("--password-file, --password-stdin and --password-env exclude each other") }
        if fromEnv && words.count != 1 { throw FabricError.usage("provider register --from-env takes one argument: provider_id") }
        if !fromEnv && !(4...5).contains(words.count) {
            throw FabricError.usage("provider register takes: provider_id username password url tenant (or 4 with a password source)")
        }
        if words.count == 5 && sources > 0 { throw FabricError.usage("the password is given twice: as an argument and by an option") }
        for word in words where word.isEmpty { throw FabricError.usage("provider register: an argument is empty") }
        try Identifier.provider.check(words[0])
    }

    func run() throws {
        let porcelain = try Porcelain(common, command: "provider register")
        let id = words[0]
        var options: [String] = []
        if let providerType { options.append("--type=\(providerType)") }
        if let defaultImage { options.append("--default-image=\(defaultImage)") }
        if let defaultFlavor { options.append("--default-flavor=\(defaultFlavor)") }
        options += extra.map { "--extra=\($0)" }
        if fromEnv {
            // fabric-store reads the cloud's own variables (OS_*, AWS_*) itself: no secret passes here.
            let register = porcelain.tool("fabric-store register", options + ["--from-env", "--", id])
            try checkInProcess(StoreTool.Register.self, porcelain.storeArguments + options + ["--from-env", "--check", "--", id])
            try porcelain.detachIfAsked()
            Tool.exit(try porcelain.runShown(Pipeline(register), columns: ProviderColumns.list))
        }
        let password = try self.password()
        let account = words.count == 5 ? [words[1], words[3], words[4]] : Array(words[1...3])
        options += ["--username=\(account[0])", "--url=\(account[1])", "--tenant=\(account[2])"]
        let register = porcelain.tool("fabric-store register", options + ["--password-file", "/dev/stdin", "--", id])
        setenv("FABRIC_PASSWORD", password, 1)
        try checkInProcess(StoreTool.Register.self, porcelain.storeArguments + options + ["--check", "--", id])
        // The job gets the password in its environment (set above); its command line has four arguments.
        var jobWords = ["provider", "register", id] + account + porcelain.storeArguments
        if let providerType { jobWords.append("--provider_type=\(providerType)") }
        if let defaultImage { jobWords.append("--default_image=\(defaultImage)") }
        if let defaultFlavor { jobWords.append("--default_flavor=\(defaultFlavor)") }
        try porcelain.detachIfAsked(words: jobWords + extra.map { "--extra=\($0)" })
        unsetenv("FABRIC_PASSWORD")
        Tool.exit(try porcelain.runShown(Pipeline(register, input: Array((password + "\n").utf8)), columns: ProviderColumns.list))
    }

    private func password() throws(FabricError) -> String {
        if words.count == 5 { return words[2] }
        if let passwordFile {
            do { return try readFirstLine(passwordFile) } catch {
                throw FabricError.usage("cannot read a password from \(passwordFile)")
            }
        }
        if passwordStdin {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw FabricError.usage("no password on standard input")
            }
            return line
        }
        if let passwordEnv {
            guard let value = environment(passwordEnv), !value.isEmpty else {
                throw FabricError.usage("environment variable \(passwordEnv) is empty or unset")
            }
            return value
        }
        if let value = environment("FABRIC_PASSWORD") { return value }
        throw FabricError.usage("no password: give it as the third argument, or --password-file, --password-stdin, --password-env VAR or FABRIC_PASSWORD")
    }
}

struct ProviderUnregister: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unregister", abstract: "Remove a provider.",
        discussion: """
            Removes a provider; an unknown one, or one that still has machines in the store or in \
            the cloud (those fabric made for it, with --skip_store too), is a ProviderError naming them.

              fabric-list-machines -p ID        (not with --force)
              fabric-store remove provider ID
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("The provider.", valueName: "provider_id"), completion: .custom { StoreCompletion.providers($0, $1, $2) })
    var provider: String

    @Flag(name: .spec("force"), help: "Unregister although the cloud still holds machines fabric made for the provider, and say which stay.")
    var force = false

    func validate() throws { try Arguments.provider(provider) }

    func run() throws {
        let porcelain = try Porcelain(common, command: "provider unregister")
        _ = try porcelain.store.provider(provider)
        // Machines made with --skip_store are known to the cloud alone, by the provider's tag:
        // once the provider is gone nothing in fabric finds them again, so they hold the unregister.
        let listing = try porcelain.run(Pipeline(porcelain.tool("fabric-list-machines", ["-p", provider])), output: .captured)
        var machines: [String] = []
        if listing.status != 0 {
            guard force else {
                throw FabricError.provider("cannot ask provider \(quoted(provider))'s cloud which machines it still holds, so it stays registered",
                                           hint: "to unregister anyway: fabric provider unregister \(provider) --force")
            }
            warn("provider \(quoted(provider)): its cloud could not be asked for machines; any it holds stay there")
        } else {
            machines = try RecordReader.records(in: String(decoding: listing.output, as: UTF8.self), source: "fabric-list-machines")
                .compactMap { $0["uuid"]?.string }
        }
        if !machines.isEmpty && !force {
            throw FabricError.provider(
                "provider \(quoted(provider)) still has \(machines.count) machines in its cloud: \(machines.joined(separator: " "))",
                hint: "see: fabric machine list \(provider) --skip_store; destroy them with fabric machine destroy \(provider) UUID... --skip_store, or unregister anyway with --force")
        }
        try porcelain.detachIfAsked()
        let status = try porcelain.runShown(Pipeline(porcelain.tool("fabric-store remove", ["provider", provider])),
                                            columns: "provider_id,type,url")
        if status == 0 && !machines.isEmpty {
            warn("provider \(quoted(provider)) unregistered; its cloud still holds \(machines.count) machines fabric made for it: \(machines.joined(separator: " "))")
        }
        Tool.exit(status)
    }
}

struct ProviderList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the providers.",
        discussion: """
            Lists the registered providers (never their passwords).

              fabric-store list providers [-p ID]
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .spec("provider_id"), help: ArgumentHelp("Only this provider.", valueName: "provider_id"),
            completion: .custom { StoreCompletion.providers($0, $1, $2) })
    var providerID: String?

    func validate() throws { if let providerID { try Arguments.provider(providerID) } }

    func run() throws {
        let porcelain = try Porcelain(common, command: "provider list")
        let list = porcelain.tool("fabric-store list", ["providers"] + (providerID.map { ["--provider=\($0)"] } ?? []))
        Tool.exit(try porcelain.runShown(Pipeline(list), columns: ProviderColumns.list))
    }
}
