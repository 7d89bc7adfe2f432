import FabricRecords

/// What one kind of cloud takes in a boot request: the sizes and counts of user data, injected
/// files and metadata. Each kind carries its own in the table of provider types, and fabric-boot
/// checks a request against the provider's before that provider is sent anything, so a call
/// the cloud would refuse fails with nothing made.
public struct BootLimits: Sendable {
    /// How many machines one call boots at most, on every kind of cloud.
    public static let maximumCount = 1000

    /// How messages name the one setting these limits ("Nova", "EC2").
    let cloud: String
    let userdataBytes: Int
    let userdataHint: String?
    /// How many files may be injected; 0 when the cloud cannot inject any.
    let files: Int
    let filesHint: String?
    let fileBytes: Int
    let filePathBytes: Int
    /// How many metadata items (tags) a machine takes, fabric's own counted.
    let metaItems: Int
    /// What the cloud calls them.
    let metaNoun: String
    /// Tags the cloud's machines carry beside fabric's (EC2's Name).
    let fixedTags: [String]
    let metaKeyLength: Int
    let metaValueLength: Int
    /// Whether the key and value lengths count UTF-8 bytes (Nova) or characters (EC2).
    let metaLengthInBytes: Bool
    /// Why the cloud has no soft spread, or nil when it has one.
    let softSpreadRefusal: String?
    /// Why the cloud takes no --max-per-host, or nil when it does.
    let maxPerHostRefusal: String?

    /// Nova's API limits; the null provider, which emulates a Nova cloud, keeps them too.
    static let nova = BootLimits(
        cloud: "Nova", userdataBytes: 65535 / 4 * 3, userdataHint: "65535 bytes once base64-encoded",
        files: 5, filesHint: nil, fileBytes: 10240, filePathBytes: 255,
        metaItems: 128, metaNoun: "metadata items", fixedTags: [], metaKeyLength: 255, metaValueLength: 255, metaLengthInBytes: true,
        softSpreadRefusal: nil, maxPerHostRefusal: nil)

    static let ec2 = BootLimits(
        cloud: "EC2", userdataBytes: 16 * 1024, userdataHint: "compress it with gzip: cloud-init reads gzip'ed user data",
        files: 0, filesHint: "put them in --userdata: cloud-init's write_files creates them at first boot",
        fileBytes: 0, filePathBytes: 0,
        metaItems: 50, metaNoun: "tags", fixedTags: ["Name"], metaKeyLength: 128, metaValueLength: 256, metaLengthInBytes: false,
        softSpreadRefusal: "EC2's spread placement groups are hard (a member EC2 cannot put on a rack of its own fails the launch); use --spread host, or --spread zone",
        maxPerHostRefusal: "an EC2 spread placement group puts each member on a rack of its own and takes no number per host")

    /// Refuses a request that exceeds these limits.
    public func check(_ request: BootRequest) throws(FabricError) {
        try checkUserdata(request)
        try checkFiles(request)
        try checkMeta(request)
        try checkSpread(request)
    }

    private func checkSpread(_ request: BootRequest) throws(FabricError) {
        if request.spread == .soft, let softSpreadRefusal {
            throw FabricError.usage("--spread soft: \(cloud) has no soft spread", hint: softSpreadRefusal)
        }
        if request.maxPerHost != nil, let maxPerHostRefusal {
            throw FabricError.usage("--max-per-host: \(cloud) has no such rule", hint: maxPerHostRefusal)
        }
    }

    private func checkUserdata(_ request: BootRequest) throws(FabricError) {
        if let userdata = request.userdata, userdata.count > userdataBytes {
            throw FabricError.usage("--userdata is \(userdata.count) bytes; \(cloud) takes at most \(userdataBytes)", hint: userdataHint)
        }
    }

    private func checkFiles(_ request: BootRequest) throws(FabricError) {
        guard !request.files.isEmpty else { return }
        if files == 0 { throw FabricError.usage("\(cloud) cannot inject files (--files)", hint: filesHint) }
        if request.files.count > files {
            throw FabricError.usage("--files given \(request.files.count) times; \(cloud) takes at most \(files)", hint: filesHint)
        }
        for (path, contents) in request.files {
            if path.utf8.count > filePathBytes {
                throw FabricError.usage("--files \(quoted(path)): \(cloud) takes destination paths of at most \(filePathBytes) bytes")
            }
            if contents.count > fileBytes {
                throw FabricError.usage("--files \(quoted(path)): the file is \(contents.count) bytes; \(cloud) takes at most \(fileBytes)")
            }
        }
    }

    /// The cloud counts every item a machine carries: the user's, fabric's own tags (and the
    /// fabric_ items machine create passes as --meta), and its own (EC2's Name).
    private func checkMeta(_ request: BootRequest) throws(FabricError) {
        let fabricKeys = fixedTags + request.meta.map(\.key).filter { $0.hasPrefix("fabric_") }
            + FabricMetadata.fabricTags(request, providerID: "").map(\.key)
            + (request.publicNics.isEmpty ? [] : [FabricMetadata.publicNetworks])
        let given = request.meta.count { !$0.key.hasPrefix("fabric_") }
        if given + fabricKeys.count > metaItems {
            throw FabricError.usage("--meta given \(given) times; \(cloud) takes at most \(metaItems) \(metaNoun) on a machine and fabric adds \(fabricKeys.count) (\(fabricKeys.joined(separator: ", "))), which leaves \(metaItems - fabricKeys.count)")
        }
        for (key, value) in request.meta where length(key) > metaKeyLength || length(value) > metaValueLength {
            let unit = metaLengthInBytes ? "bytes" : "characters"
            throw FabricError.usage("--meta \(quoted(key)): \(cloud) takes keys of at most \(metaKeyLength) \(unit) and values of at most \(metaValueLength)")
        }
    }

    private func length(_ text: String) -> Int { metaLengthInBytes ? text.utf8.count : text.count }
}
