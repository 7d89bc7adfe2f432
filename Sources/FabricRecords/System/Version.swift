/// fabric's version: --version of every tool, the User-Agent of every request, the package's.
public let fabricVersion = "0.1.0"

/// What `--version` prints, the same for fabric and every tool: they are one program.
public let fabricVersionLine = "fabric \(fabricVersion)"
