/// fabric's version: --version of every tool, the User-Agent of every request, the package's.
public let fabricVersion = "0.1.0"
