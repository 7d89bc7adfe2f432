import Glibc

/// This host's name, as jobs and store locks record who holds them.
public func hostName() -> String {
    var name = [CChar](repeating: 0, count: 256)
    guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
    return String(cString: name)
}

/// The exit status a shell would report for a waitpid status: the code, or 128 + the signal
/// that ended the process (WIFEXITED and friends are macros Swift does not import).
public func shellStatus(waitStatus status: Int32) -> Int32 {
    status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
}
