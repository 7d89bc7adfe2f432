import Foundation
import Testing

/// fabric installed as operators install it, then used as a user would: `make install` into a
/// prefix (and `make uninstall` after), run from a directory outside the checkout with only
/// that prefix's bin and /usr/bin:/bin on PATH; the whole demo workflow, every man page through
/// man(1), and the completions of bash, zsh and fish, loaded from where they were installed.
/// Serialized: both tests install the one release build, made once in a scratch path of its own
/// (`swift test` holds .build's lock while it runs, so a build there would wait for ever).
@Suite(.serialized) struct InstallTests {
    static let scratch = Harness.root.appendingPathComponent(".build-install").path
    static let commands = ["fabric"] + DocumentationTests.tools

    /// make in the checkout, with the caller's own environment (SwiftPM's caches under HOME).
    static func make(_ h: Harness, _ arguments: [String]) -> Harness.Result {
        let env = ProcessInfo.processInfo.environment
        return h.run("/usr/bin/env", ["-i", "HOME=\(env["HOME"] ?? "/root")", "PATH=\(env["PATH"] ?? "/usr/bin:/bin")",
                                      "/usr/bin/make", "-s", "-C", Harness.root.path, "SCRATCH=\(scratch)"] + arguments)
    }

    /// A bash script run as a user of the installed copy: in the test's directory (outside the
    /// checkout), with nothing of the test's environment: HOME is the test's directory (so the
    /// store is the default one under it) and PATH the given one.
    static func asUser(_ h: Harness, path: String, _ script: String, env extra: [String] = []) -> Harness.Result {
        h.run("/usr/bin/env", ["-i", "HOME=\(h.directory.path)", "PATH=\(path)", "LANG=C.UTF-8", "TERM=dumb"] + extra
              + ["/bin/bash", "-o", "pipefail", "-c", script])
    }

    /// The commands of README.md's Install section, one list per ```sh block, comments dropped:
    /// [0] install from source, [1] the package, [2] the first two commands. The tests run them.
    static let readmeInstall: [[String]] = {
        let readme = (try? String(contentsOf: Harness.root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
        let section = readme.components(separatedBy: "\n## Install\n").dropFirst().first?.components(separatedBy: "\n## ").first ?? ""
        return section.components(separatedBy: "```sh\n").dropFirst().map { block in
            block.components(separatedBy: "```").first!.split(separator: "\n").map { line in
                String(line.components(separatedBy: "   #").first!.components(separatedBy: "  # ").first!)
                    .trimmingCharacters(in: .whitespaces)
            }
        }
    }()

    /// Every file and directory under `directory`, relative to it.
    static func contents(of directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
    }

    /// `make install PREFIX=...`, the installed copy used from outside the checkout, then
    /// `make uninstall`, which leaves the prefix as it found it.
    @Test func installFromSourceIntoAPrefix() throws {
        let h = Harness()
        let prefix = h.directory.appendingPathComponent("prefix").path
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        #expect(Self.readmeInstall.first == ["make install", "make uninstall"], "README.md: \(Self.readmeInstall)")
        let installed = Self.make(h, ["install", "PREFIX=\(prefix)"])
        try #require(installed.status == 0, "make install: \(installed.stdout)\(installed.stderr)")
        // One executable: every tool is a link to it.
        let executable = "\(prefix)/libexec/fabric/fabric-tools"
        for tool in DocumentationTests.tools {
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(prefix)/bin/\(tool)") == "../libexec/fabric/fabric-tools")
        }
        let size = try FileManager.default.attributesOfItem(atPath: executable)[.size] as? Int ?? 0
        #expect(size > 0 && size <= 40_000_000, "fabric-tools is \(size) bytes")

        let path = "\(prefix)/bin:/usr/bin:/bin"
        Self.demoWorkflow(h, path: path, bin: "\(prefix)/bin", executable: executable)
        Self.manPages(h, path: path, manArguments: "-M \(prefix)/share/man")
        try Self.completions(h, path: path, dataDirectory: "\(prefix)/share", zshFunctions: "\(prefix)/share/zsh/site-functions")

        let uninstalled = Self.make(h, ["uninstall", "PREFIX=\(prefix)"])
        #expect(uninstalled.status == 0, "make uninstall: \(uninstalled.stderr)")
        #expect(Self.contents(of: prefix) == [], "left after make uninstall")
    }

    /// DESTDIR stages an install for PREFIX, as packagers use it: the links and the manifest name
    /// the final places, and uninstall with the same DESTDIR removes what it staged; a directory
    /// holding someone else's file stays, with that file.
    @Test func stagedInstallWithDestdir() throws {
        let h = Harness()
        let stage = h.directory.appendingPathComponent("stage").path
        let other = "\(stage)/opt/fabric/share/man/man1/other.1"
        try FileManager.default.createDirectory(atPath: "\(stage)/opt/fabric/share/man/man1", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: other, contents: Data("x".utf8)))
        let installed = Self.make(h, ["install", "DESTDIR=\(stage)", "PREFIX=/opt/fabric"])
        try #require(installed.status == 0, "make install: \(installed.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(stage)/opt/fabric/bin/fabric-store") == "../libexec/fabric/fabric-tools")
        let manifest = try String(contentsOfFile: "\(stage)/opt/fabric/libexec/fabric/manifest", encoding: .utf8)
        #expect(manifest.split(separator: "\n").allSatisfy { $0.hasPrefix("/opt/fabric/") }, "\(manifest)")
        #expect(manifest.contains("/opt/fabric/share/man/man1/fabric-store.1\n") && !manifest.contains("/opt/fabric/share/man/man1\n"))
        let run = Self.asUser(h, path: "/usr/bin:/bin", "\(stage)/opt/fabric/bin/fabric-store --version")
        #expect(run.stdout == "fabric \(WrapperTests.version)\n", "\(run.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(stage)/opt/fabric/bin/fabric") == "../libexec/fabric/fabric-tools", "fabric is a link to the one executable")

        let uninstalled = Self.make(h, ["uninstall", "DESTDIR=\(stage)", "PREFIX=/opt/fabric"])
        #expect(uninstalled.status == 0, "make uninstall: \(uninstalled.stderr)")
        #expect(Self.contents(of: stage) == ["opt", "opt/fabric", "opt/fabric/share", "opt/fabric/share/man",
                                             "opt/fabric/share/man/man1", "opt/fabric/share/man/man1/other.1"])
    }

    /// `make deb`, installed with apt-get as an operator installs a package, used from outside
    /// the checkout (the workflow, `man fabric` and every page, the completions from Debian's
    /// places, found by each shell's defaults), then removed: none of its files is left.
    @Test func debianPackage() throws {
        let h = Harness()
        let readme = Self.readmeInstall.count > 1 ? Self.readmeInstall[1] : []
        try #require(readme == ["make deb", "apt-get install -y ./fabric_*.deb", "apt-get remove -y fabric"], "README.md: \(readme)")
        let built = Self.make(h, ["deb", "DEB_DIR=\(h.directory.path)"])
        try #require(built.status == 0, "make deb: \(built.stdout)\(built.stderr)")
        let arch = h.run("/usr/bin/dpkg", ["--print-architecture"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let deb = "fabric_\(WrapperTests.version)-1_\(arch).deb"
        #expect(Self.contents(of: h.directory.path).filter { $0.hasSuffix(".deb") } == [deb])
        func field(_ name: String) -> String {
            h.run("/usr/bin/dpkg-deb", ["-f", deb, name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let depends = field("Depends"), recommends = field("Recommends")
        for library in ["libc6 (>= ", "libsqlite3-0 (>= ", "libjansson4 (>= ", "libcurl4 (>= 7.8"] {
            #expect(depends.contains(library), "Depends: \(depends)")
        }
        #expect(recommends.hasPrefix("libmariadb3 (>= 3."), "Recommends: \(recommends)")
        #expect(!depends.contains("-dev") && !recommends.contains("-dev"), "Depends: \(depends); Recommends: \(recommends)")
        #expect((Int(field("Installed-Size")) ?? .max) <= 40_000, "Installed-Size (KB): \(field("Installed-Size"))")
        let files = h.sh("dpkg-deb -c \(deb) | awk '{ print substr($6, 2) }' | grep -v '/$'").lines
        #expect(files.contains("/usr/bin/fabric-store") && files.contains("/usr/share/man/man1/fabric.1.gz")
                && files.contains("/usr/share/zsh/vendor-completions/_fabric")
                && files.contains("/usr/share/fish/vendor_completions.d/fabric.fish")
                && files.contains("/usr/share/bash-completion/completions/fabric")
                && files.contains("/usr/share/doc/fabric/copyright") && files.contains("/usr/share/doc/fabric/changelog.Debian.gz"),
                "\(files)")

        // lintian-clean: make deps installs lintian, so its absence is a failure, not a skip.
        let lintian = DocumentationTests.which("lintian")
        #expect(lintian != nil, "lintian is not installed (make deps installs it)")
        if let lintian {
            let lint = h.run(lintian, ["--fail-on", "error,warning", deb])
            #expect(lint.status == 0, "lintian \(deb):\n\(lint.stdout)\(lint.stderr)")
        }

        // A package left by an interrupted run would hide a failed install.
        if Self.installedVersion(h) != nil { #expect(Self.apt(h, readme[2]).status == 0) }
        let installed = Self.apt(h, readme[1])
        try #require(installed.status == 0, "apt-get install: \(installed.stdout)\(installed.stderr)")
        #expect(Self.installedVersion(h) == "\(WrapperTests.version)-1")
        defer { _ = Self.apt(h, readme[2]) }

        let path = "/usr/bin:/bin"
        Self.demoWorkflow(h, path: path, bin: "/usr/bin", executable: "/usr/libexec/fabric/fabric-tools")
        let man = Self.asUser(h, path: path, "man fabric", env: ["MANPAGER=cat", "MANWIDTH=80"])
        #expect(man.status == 0 && man.stdout.contains("FABRIC(1)"), "man fabric: \(man.stderr)")
        Self.manPages(h, path: path)
        try Self.completions(h, path: path, dataDirectory: nil, zshFunctions: nil)

        let removed = Self.apt(h, readme[2])
        #expect(removed.status == 0, "apt-get remove: \(removed.stderr)")
        #expect(Self.installedVersion(h) == nil)
        let left = files.filter { FileManager.default.fileExists(atPath: $0) || (try? FileManager.default.destinationOfSymbolicLink(atPath: $0)) != nil }
        #expect(left.isEmpty, "left after apt-get remove: \(left)")
        #expect(!FileManager.default.fileExists(atPath: "/usr/libexec/fabric"))
    }

    /// An apt-get command line as root, in the test's directory (where the package is), waiting
    /// up to 5 minutes for a dpkg lock someone else holds (APT_CONFIG adds that to the command).
    static func apt(_ h: Harness, _ command: String) -> Harness.Result {
        let config = h.write("apt.conf", "DPkg::Lock::Timeout \"300\";\n")
        return h.run("/usr/bin/env", ["-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND=noninteractive",
                                      "APT_CONFIG=\(config)", "/bin/bash", "-c", command])
    }

    /// The installed version of the fabric package, or nil when it is not installed.
    static func installedVersion(_ h: Harness) -> String? {
        let result = h.run("/usr/bin/dpkg-query", ["-W", "-f", "${db:Status-Status} ${Version}", "fabric"])
        guard result.status == 0, result.stdout.hasPrefix("installed ") else { return nil }
        return String(result.stdout.dropFirst("installed ".count))
    }

    // MARK: what a user does with the installed copy

    /// bin/fabric-demo's steps on the null provider, each checked, run with the installed tools:
    /// register and create three machines (waiting, with public addresses) as README.md says,
    /// list them, snapshot one, destroy them all, unregister. `bin` is where the commands are, `executable` fabric-tools.
    static func demoWorkflow(_ h: Harness, path: String, bin: String, executable: String) {
        func user(_ script: String) -> Harness.Result { asUser(h, path: path, script) }
        let found = user("for c in fabric fabric-store fabric-boot; do command -v $c; done; readlink -f \"$(command -v fabric-boot)\"")
        #expect(found.lines == ["\(bin)/fabric", "\(bin)/fabric-store", "\(bin)/fabric-boot", executable], "\(found.stderr)")
        #expect(user("fabric --version; fabric-store --version").lines == ["fabric \(WrapperTests.version)", "fabric \(WrapperTests.version)"])

        // README.md's first two commands, as they are there (JSON lines: stdout is no terminal).
        let first = readmeInstall.count > 2 ? readmeInstall[2] : []
        #expect(first.count == 2 && first.allSatisfy { $0.hasPrefix("fabric ") }, "README.md: \(first)")
        guard first.count == 2 else { return }
        let registered = user(first[0])
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(registered.records.first?["provider_id"] as? String == "demo")
        let created = user(first[1])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.records.count == 3)
        #expect(created.records.allSatisfy { $0["status"] as? String == "ACTIVE" && !($0["public_addresses"] as? [Any] ?? []).isEmpty })
        let uuids = created.records.compactMap { $0["uuid"] as? String }
        let table = user("fabric --table machine list demo")
        #expect(table.status == 0 && table.lines.count == 4 && table.lines.first?.hasPrefix("UUID") == true, "\(table.stdout)\(table.stderr)")
        #expect(Set(user("fabric --json machine list demo").records.compactMap { $0["uuid"] as? String }) == Set(uuids))
        guard let first = uuids.first else { return }
        let snapshot = user("fabric --json snapshot create demo \(first) --wait_spawning")
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        #expect(snapshot.records.first?["machine_uuid"] as? String == first && snapshot.records.first?["status"] as? String == "active")
        for uuid in uuids {
            let destroyed = user("fabric --json machine destroy demo \(uuid)")
            #expect(destroyed.status == 0 && destroyed.records.first?["uuid"] as? String == uuid, "\(destroyed.stderr)")
        }
        let left = user("fabric --json machine list demo; fabric --json machine list demo --skip_store")
        #expect(left.status == 0 && left.stdout.isEmpty, "\(left.stdout)\(left.stderr)")
        // The hook recipes are installed with the executable and found from it, no checkout needed.
        let recipe = user("fabric machine create demo --group db --on_ready mariadb-replica --before_destroy mariadb-replica --check")
        #expect(recipe.status == 0, "the installed mariadb-replica recipe is found: \(recipe.stderr)")
        let missing = user("fabric machine create demo --on_ready no-such-recipe --check")
        #expect(missing.status == 64 && missing.stderr.contains("the recipes: mariadb-replica"), "\(missing.stderr)")
        #expect(user("fabric --json provider unregister demo").status == 0)
        let providers = user("fabric --json provider list")
        #expect(providers.status == 0 && providers.stdout.isEmpty)
        // The store was the default one, under the user's HOME.
        #expect(FileManager.default.fileExists(atPath: h.directory.appendingPathComponent(".local/state/fabric/fabric.db").path))
    }

    /// Every page of man/ opened with man(1); `manArguments` choose where it looks (-M DIR).
    static func manPages(_ h: Harness, path: String, manArguments: String = "") {
        for page in DocumentationTests.pages {
            let name = String(page.prefix { $0 != "." }), section = String(page.split(separator: ".").last!)
            let result = asUser(h, path: path, "man \(manArguments) \(section) \(name)", env: ["MANPAGER=cat", "MANWIDTH=80"])
            #expect(result.status == 0, "man \(manArguments) \(section) \(name): \(result.stderr)")
            #expect(result.stdout.contains("\(name.uppercased())(\(section))") && result.stdout.contains("NAME"),
                    "man \(section) \(name) printed: \(result.stdout.prefix(300))")
            // The installed page says which fabric it documents; the source's page does not.
            #expect(result.stdout.contains("fabric \(WrapperTests.version)"), "man \(section) \(name) gives no version")
        }
    }

    /// What each shell completes, and what it must offer: every command's --version, and a
    /// group, a command and a subcommand.
    static let completionCases = commands.map { ("\($0) --vers", "--version") }
        + [("fabric mach", "machine"), ("fabric machine cr", "create"), ("fabric-store li", "list")]

    /// Completes each case in bash (bash-completion's loader), zsh (compinit, a real completion
    /// on a pseudo-terminal) and fish (complete -C), each finding the files where they were
    /// installed: `dataDirectory` is put first in XDG_DATA_DIRS (bash-completion and fish look
    /// there), `zshFunctions` first in zsh's fpath; nil leaves each shell's own defaults.
    static func completions(_ h: Harness, path: String, dataDirectory: String?, zshFunctions: String?) throws {
        let xdg = dataDirectory.map { ["XDG_DATA_DIRS=\($0):/usr/share"] } ?? []
        let zshScript = h.write("complete.zsh", zshCompleter)
        for (line, expected) in completionCases {
            let bash = asUser(h, path: path, """
                source /usr/share/bash-completion/bash_completion
                line='\(line)'
                read -ra COMP_WORDS <<< "$line"
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$line COMP_POINT=${#line}
                __load_completion "${COMP_WORDS[0]}" || { echo "no completion for ${COMP_WORDS[0]}" >&2; exit 1; }
                spec=$(complete -p "${COMP_WORDS[0]}") function=${spec#*-F } function=${function%% *}
                "$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """, env: xdg)
            #expect(bash.lines.contains(expected), "bash completes '\(line)' as \(bash.lines) \(bash.stderr)")

            let fish = asUser(h, path: path, "fish -c \"complete -C '\(line)'\"", env: xdg)
            #expect(fish.lines.contains { $0.split(separator: "\t").first.map(String.init) == expected },
                    "fish completes '\(line)' as \(fish.lines) \(fish.stderr)")

            let zsh = asUser(h, path: path, "zsh -f \(zshScript) '\(zshFunctions ?? "")' '\(line)' '\(expected)'")
            // Inserted on the line when it is the only match, else listed below it.
            #expect(zsh.stdout.contains("\(expected) ") && !zsh.stdout.contains("_arguments:"),
                    "zsh completes '\(line)' as: \(zsh.stdout.suffix(200)) \(zsh.stderr)")
        }
    }

    /// Types a line and a tab into an interactive zsh (compinit on, `$1` first in fpath when
    /// given) and prints what the terminal shows, once it shows `$3` and a space or after 10 s.
    static let zshCompleter = """
        zmodload zsh/zpty
        zpty shell zsh -f -i
        zpty -w shell "PS1='> '; ${1:+fpath=($1 \\$fpath); }autoload -U compinit; compinit -u -D; print -r -- RE''ADY"
        zpty -r -m shell ignored '*READY*'
        zpty -n -w shell "$2"$'\\t'
        out=
        for i in {1..200}; do
          while zpty -r -t shell chunk; do out+=$chunk; done
          [[ $out == *"$3 "* ]] && break
          sleep 0.05
        done
        print -r -- "$out"
        zpty -d shell
        """
}
