import Glibc

/// Processes started with posix_spawn: no fork of this process, no shell. The jobs of
/// fabric-job, the porcelain's pipelines, hooks and the null provider's machines start here.
public enum Spawn {
    /// Glibc's POSIX_SPAWN_SETSID (2.26+), a macro Swift does not import.
    public static let newSession: Int32 = 0x80

    /// Starts a process in a session of its own (no terminal, so no SIGHUP when one closes),
    /// standard input from `stdin`, output to /dev/null, signals at their defaults.
    public static func detached(_ path: String, _ argv: [String], stdin: Int32, closing other: Int32) throws(FabricError) -> pid_t {
        try spawn(path, argv, flags: newSession) { actions in
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
            posix_spawn_file_actions_addclose(&actions, other)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
    }

    /// Starts a process in a session of its own, standard input from /dev/null, output and
    /// errors appended to `log`, with only the environment given: an emulated machine that
    /// outlives the command that started it and inherits none of its secrets.
    public static func session(_ path: String, _ argv: [String], log: String, environment: [String]) throws(FabricError) -> pid_t {
        try spawn(path, argv, flags: newSession, environment: environment) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
    }

    /// Starts the command in this process's group, standard input from /dev/null.
    public static func inGroup(_ argv: [String], stdout: Int32, stderr: Int32) throws(FabricError) -> pid_t {
        try spawn(argv[0], argv, flags: 0, searchingPath: true) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, stdout, 1)
            posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        }
    }

    /// Starts one process of a pipeline: standard input, output and error from the descriptors
    /// given (the others close on exec), in process group `group` (0: a new group it leads);
    /// `environment`: the variables it gets, else this process's.
    public static func stage(_ path: String, _ argv: [String], stdin: Int32, stdout: Int32, stderr: Int32,
                             group: pid_t, environment: [String]? = nil) throws(FabricError) -> pid_t {
        try spawn(path, argv, flags: 0, searchingPath: !path.contains("/"), group: group, environment: environment) { actions in
            if stdin != 0 { posix_spawn_file_actions_adddup2(&actions, stdin, 0) }
            if stdout != 1 { posix_spawn_file_actions_adddup2(&actions, stdout, 1) }
            if stderr != 2 { posix_spawn_file_actions_adddup2(&actions, stderr, 2) }
        }
    }

    private static func spawn(_ path: String, _ argv: [String], flags: Int32, searchingPath: Bool = false, group: pid_t? = nil,
                              environment: [String]? = nil,
                              _ files: (inout posix_spawn_file_actions_t) -> Void) throws(FabricError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        files(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A launcher may hand down INT ignored or signals blocked (test runners do); the job's
        // command must see them as a shell's child does, or its clean-up trap cannot run.
        var defaults = sigset_t(), none = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signal) }
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        var flags = flags | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if let group {
            posix_spawnattr_setpgroup(&attributes, group)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var cEnvironment = (environment ?? []).map { strdup($0) } + [nil]
        defer { for variable in cEnvironment { free(variable) } }
        var pid: pid_t = 0
        let result = cEnvironment.withUnsafeMutableBufferPointer { given in
            let variables = environment == nil ? environ : given.baseAddress!
            return searchingPath
                ? posix_spawnp(&pid, path, &actions, &attributes, &cArguments, variables)
                : posix_spawn(&pid, path, &actions, &attributes, &cArguments, variables)
        }
        guard result == 0 else { throw FabricError.usage("cannot run \(quoted(argv[0])): \(String(cString: strerror(result)))") }
        return pid
    }

    /// This process's environment as `NAME=value` strings, for a child given a few more.
    public static func currentEnvironment() -> [String] {
        var variables: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            variables.append(String(cString: entry))
            cursor += 1
        }
        return variables
    }

    /// This executable's path, so the supervisor shows as fabric-tools in ps and top, not as exe.
    public static func thisExecutable() -> String {
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &path, path.count - 1)
        return length > 0 ? String(decoding: path[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/proc/self/exe"
    }

    /// Closes every descriptor but standard input, output and error that the job's launcher
    /// left open: a descriptor that a caller waits on to see its command end (a pipe of ssh, a
    /// test runner's socket) would otherwise stay open as long as the job runs.
    public static func closeInheritedDescriptors() {
        guard let entries = opendir("/proc/self/fd") else { return }
        let own = dirfd(entries)
        var open: [Int32] = []
        while let entry = readdir(entries) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd > 2, fd != own { open.append(fd) }
        }
        closedir(entries)
        for fd in open { close(fd) }
    }

    /// The exit status a shell would report: the code, or 128 + the signal that ended it.
    public static func exitStatus(of pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 1 }
        }
        return shellStatus(waitStatus: status)
    }

    /// A file already unlinked: nothing is left behind however the supervisor ends.
    public static func temporaryFile() throws(FabricError) -> Int32 {
        var template = Array(((environment("TMPDIR") ?? "/tmp") + "/fabric-job-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw FabricError.usage("cannot create a temporary file: \(String(cString: strerror(errno)))") }
        unlink(String(cString: template))
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    public static func contents(of fd: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var offset: off_t = 0
        while true {
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            bytes.append(contentsOf: chunk[0..<got])
            offset += off_t(got)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
