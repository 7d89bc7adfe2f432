import Glibc

/// Reads a whole file (or `-` for standard input) as bytes, with errors as values.
public func readFile(_ path: String) -> Result<[UInt8], FabricError> {
    let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        return .failure(.usage("cannot read \"\(path)\": \(String(cString: strerror(errno)))"))
    }
    defer { if fd != 0 { close(fd) } }
    var stats = stat()
    if fstat(fd, &stats) == 0 && (stats.st_mode & S_IFMT) == S_IFDIR {
        return .failure(.usage("cannot read \"\(path)\": it is a directory"))
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if got < 0 {
            if errno == EINTR { continue }
            return .failure(.usage("cannot read \"\(path)\": \(String(cString: strerror(errno)))"))
        }
        if got == 0 { break }
        bytes.append(contentsOf: chunk[0..<got])
    }
    return .success(bytes)
}

/// The first line of a file holding a secret (a password file; /dev/fd/N works), without its
/// line end.
public func readFirstLine(_ path: String) throws(FabricError) -> String {
    let bytes = try readFile(path).get()
    let line = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
    return String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...], as: UTF8.self)
}

public func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

public func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

/// Creates a directory and its parents with the given mode (existing ones are left as they are).
public func makeDirectories(_ path: String, mode: mode_t) -> Bool {
    var partial = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        partial += "/" + component
        if mkdir(partial, mode) != 0 && errno != EEXIST { return false }
    }
    return true
}

public func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

/// The size of the file in bytes; nil when it cannot be read.
public func fileSize(_ path: String) -> Int? {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : nil
}

/// The name of the running tool (fabric-boot, ...), set once as it starts: every diagnostic
/// begins with it.
nonisolated(unsafe) public var toolName = "fabric"

/// Writes all of `bytes` to `fd`, again after a short write or EINTR; false when it cannot.
@discardableResult
public func writeFully(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return false }
        offset += written
    }
    return true
}

/// Writes a whole file (created with `mode`, or truncated), with errors as values.
public func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(FabricError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else { throw FabricError.usage("cannot write \"\(path)\": \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    guard writeFully(fd, bytes) else { throw FabricError.usage("cannot write \"\(path)\": \(String(cString: strerror(errno)))") }
}

/// Removes a directory and everything under it, not following symbolic links; what cannot be
/// removed is left.
public func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if info.st_mode & S_IFMT == S_IFDIR, let entries = opendir(path) {
        var names: [String] = []
        while let entry = readdir(entries) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(entries)
        for name in names { removeTree(path + "/" + name) }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// A line on standard error, prefixed with the tool's name, as every diagnostic is.
public func warn(_ message: String) {
    let line = "\(toolName): \(message)\n"
    _ = line.withCString { fputs($0, stderr) }
}
