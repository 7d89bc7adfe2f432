import Foundation
import Testing

/// The man pages (man/) and shell completions (completions/), checked against the tools they
/// describe, so that they fail here as soon as they go stale:
/// every option a tool lists is documented and completed, every command and option of the
/// wrapper's table is in fabric(1)'s SYNOPSIS and OPTIONS and completed, the pages render without warnings, the
/// generated completions are what the tools generate now, every page has the required sections,
/// and the examples on the pages run.
@Suite struct DocumentationTests {
    static let tools = [
        "fabric-find-image", "fabric-find-flavor", "fabric-boot", "fabric-wait", "fabric-public-address",
        "fabric-store", "fabric-snapshot", "fabric-destroy", "fabric-list-machines", "fabric-scale", "fabric-table", "fabric-job",
    ]
    static let pages = ["fabric.1"] + tools.map { "\($0).1" } + ["fabric-records.7"]
    static let man = Harness.root.appendingPathComponent("man")
    static let completions = Harness.root.appendingPathComponent("completions")
    static let wrapper = Harness.root.appendingPathComponent("bin/fabric").path

    static func text(_ directory: URL, _ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    /// The full path of a program on PATH, or nil.
    static func which(_ program: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    // MARK: what the tools say about themselves

    /// One (sub)command's long options, from swift-argument-parser's JSON description of it.
    struct CommandOptions {
        var path: [String]          // ["fabric-store", "list"]
        var longOptions: [String]   // ["--provider", "--store", ...]: the long names only
        var subcommands: [String]
    }

    /// Every (sub)command of a tool with its long options, walking subcommands; the `help`
    /// subcommand that swift-argument-parser adds is not one of the tool's.
    static func commands(of tool: String) throws -> [CommandOptions] {
        let result = Harness().run(Harness.binDirectory.appendingPathComponent(tool).path, ["--experimental-dump-help"])
        guard result.status == 0,
              let root = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
              let command = root["command"] as? [String: Any] else {
            throw DocumentationError("\(tool) --experimental-dump-help failed: \(result.stderr)")
        }
        var found: [CommandOptions] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            var options: [String] = []
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                guard argument["shouldDisplay"] as? Bool ?? true else { continue }
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    if let text = name["name"] as? String { options.append("--" + text) }
                }
            }
            let subcommands = (command["subcommands"] as? [[String: Any]] ?? [])
                .filter { $0["commandName"] as? String != "help" }
            found.append(CommandOptions(path: path, longOptions: options,
                                        subcommands: subcommands.compactMap { $0["commandName"] as? String }))
            for sub in subcommands { walk(sub, path + [sub["commandName"] as? String ?? "?"]) }
        }
        walk(command, [tool])
        return found
    }

    struct DocumentationError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The option as roff writes it: every hyphen escaped, `--dry-run` as `\-\-dry\-run`.
    static func roff(_ option: String) -> String { option.replacingOccurrences(of: "-", with: "\\-") }

    /// Whether `text` holds `word` not followed by more of a name (so `--file` is not found in `--files`).
    static func contains(_ text: String, word: String, continuation: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: word, range: searchRange) {
            let rest = text[found.upperBound...]
            if !rest.hasPrefix(continuation) && !(rest.first.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false) {
                return true
            }
            searchRange = found.upperBound..<text.endIndex
        }
        return false
    }

    static func inManPage(_ page: String, _ option: String) -> Bool {
        contains(page, word: roff(option), continuation: "\\-")
    }

    /// Whether the page's OPTIONS section has an entry (a .TP heading) for the option.
    static func documentedOption(_ page: String, _ option: String) -> Bool {
        let lines = section("OPTIONS", of: page).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.indices.dropLast().contains { lines[$0] == ".TP" && inManPage(lines[$0 + 1], option) }
    }

    static func inShellText(_ text: String, _ option: String) -> Bool {
        contains(text, word: option, continuation: "-")
    }

    // MARK: bash completion, run for real

    /// Completes each command line (cursor at its end) with completions/fabric.bash, as bash
    /// would after TAB, and returns the candidates for each. Lines ending in a space complete a
    /// new word.
    static func bashComplete(_ lines: [String], store: Harness) -> [[String]] {
        var script = """
            source "$1" || exit 1
            complete_line() {
              local line=$1
              read -ra COMP_WORDS <<< "$line"
              [[ $line == *" " ]] && COMP_WORDS+=("")
              COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
              COMP_LINE=$line
              COMP_POINT=${#line}
              COMPREPLY=()
              _fabric "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
              printf '%s\\n' "${COMPREPLY[@]}"
              printf '@@end\\n'
            }

            """
        for line in lines {
            script += "complete_line '\(line.replacingOccurrences(of: "'", with: "'\\''"))'\n"
        }
        let result = store.run("/bin/bash", ["-c", script, "bash", completions.appendingPathComponent("fabric.bash").path])
        var answers: [[String]] = []
        var current: [String] = []
        for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "@@end" {
                answers.append(current)
                current = []
            } else if !line.isEmpty {
                current.append(line)
            }
        }
        return answers
    }

    // MARK: (a) every option of every tool is documented and completed

    @Test(arguments: tools)
    func everyToolOptionIsInItsManPageAndCompletions(tool: String) throws {
        let page = Self.text(Self.man, "\(tool).1")
        let bash = Self.text(Self.completions, "fabric.bash")
        let zsh = Self.text(Self.completions, "_\(tool)")
        let fish = Self.text(Self.completions, "\(tool).fish")
        #expect(!page.isEmpty, "man/\(tool).1 is missing")
        #expect(!zsh.isEmpty, "completions/_\(tool) is missing (run completions/regenerate)")
        #expect(!fish.isEmpty, "completions/\(tool).fish is missing (run completions/regenerate)")
        let commands = try Self.commands(of: tool)
        var lines: [String] = []
        for command in commands {
            for sub in command.subcommands {
                #expect(page.contains(".B \(Self.roff(tool)) \(sub)") || page.contains("\"\(Self.roff(tool)) \(sub)\""),
                        "man/\(tool).1 does not document the subcommand \(sub)")
                #expect(Self.inShellText(zsh, sub) && fish.contains("'\(sub)'"), "\(sub) is not completed for \(tool)")
            }
            for option in command.longOptions {
                let name = (command.path + [option]).joined(separator: " ")
                #expect(Self.documentedOption(page, option),
                        "man/\(tool).1 has no entry for \(name) (a .TP heading with \(Self.roff(option))) in OPTIONS")
                #expect(Self.inShellText(bash, option), "completions/fabric.bash does not know \(name)")
                #expect(Self.inShellText(zsh, option), "completions/_\(tool) does not know \(name)")
                let bare = String(option.dropFirst(2))
                #expect(fish.contains("-l '\(bare)'") || fish.contains("-l \(bare) ") || fish.contains("-l \(bare)\n"),
                        "completions/\(tool).fish does not know \(name)")
            }
            if command.subcommands.isEmpty { lines.append(command.path.joined(separator: " ") + " --") }
        }
        // The bash completion offers them, not only mentions them.
        let answers = Self.bashComplete(lines, store: Harness())
        #expect(answers.count == lines.count, "bash completion answered \(answers.count) of \(lines.count) lines")
        for (line, candidates) in zip(lines, answers) {
            let command = commands.first { $0.path.joined(separator: " ") + " --" == line }!
            for option in command.longOptions {
                #expect(candidates.contains(option), "bash: `\(line)<TAB>` does not offer \(option); it offers \(candidates)")
            }
        }
    }

    // MARK: (b) every command and option of the wrapper's table is in fabric(1) and completed

    /// One command of the wrapper's table (`fabric __commands`, the table bin/fabric parses and
    /// prints help from): its arguments and its options as help spells them, aliases included.
    struct WrapperCommand {
        var name: String            // "machine create"
        var arguments: [String]     // ["provider_id", "machine_uuid..."]
        var options: [String]       // ["--image", ..., "--file"]
        var aliases: [String]       // ["--file"]: accepted, not in help or the synopsis
    }

    /// The wrapper's commands, and the options every command takes.
    static func wrapperTable() throws -> (commands: [WrapperCommand], common: [String]) {
        let result = Harness().run(wrapper, ["__commands"])
        guard result.status == 0 else { throw DocumentationError("fabric __commands failed: \(result.stderr)") }
        var commands: [WrapperCommand] = []
        var common: [String] = []
        for line in result.stdout.split(separator: "\n").map({ $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }) {
            switch line.first {
            case "command":
                // provider_id:provider (what completes it) is provider_id; machine_uuid:machine... repeats.
                let arguments = line[2] == "-" ? [] : line[2].split(separator: " ").map {
                    String($0.split(separator: ":")[0]).replacingOccurrences(of: "...", with: "") + ($0.hasSuffix("...") ? "..." : "")
                }
                commands.append(WrapperCommand(name: line[1], arguments: arguments, options: [], aliases: []))
            case "option" where line[1] == "*":
                common.append("--" + line[3])
            case "option", "alias":
                guard let index = commands.firstIndex(where: { $0.name == line[1] }) else {
                    throw DocumentationError("fabric __commands: \(line[0]) of an unknown command: \(line)")
                }
                let option = "--" + (line[0] == "option" ? line[3] : line[2])
                commands[index].options.append(option)
                if line[0] == "alias" { commands[index].aliases.append(option) }
            default: continue
            }
        }
        return (commands, common)
    }

    static func dashed(_ option: String) -> String { "--" + option.dropFirst(2).replacingOccurrences(of: "_", with: "-") }

    /// Every option of the table is documented in fabric(1), offered by bash in both spellings
    /// (run for real) and known to zsh and fish; every command has its section in fabric(1) and
    /// is offered by zsh and fish; `fabric help` shows them all. (The completions' wrapper blocks
    /// are generated from the table: generatedCompletionsAreCurrent holds them to it.)
    @Test func everyWrapperCommandAndOptionIsInFabric1AndCompleted() throws {
        let (commands, common) = try Self.wrapperTable()
        #expect(commands.map(\.name) == WrapperTests.commands, "fabric __commands lists \(commands.map(\.name))")
        #expect(Set(common).isSuperset(of: ["--store", "--store_password_file", "--synchronous", "--json", "--table"]), "\(common)")
        let help = Harness().run(Self.wrapper, ["help"]).stdout
        let page = Self.text(Self.man, "fabric.1")
        let bash = Self.text(Self.completions, "fabric.bash")
        let zsh = Self.text(Self.completions, "_fabric")
        let fish = Self.text(Self.completions, "fabric.fish")
        for option in Set(commands.flatMap(\.options) + common + ["--help", "--version"]) {
            #expect(Self.documentedOption(page, option) || Self.documentedOption(page, Self.dashed(option)),
                    "man/fabric.1 has no entry for \(option) (a .TP heading with \(Self.roff(option))) in OPTIONS")
            #expect(Self.inManPage(page, option), "man/fabric.1 does not mention \(option) (as \(Self.roff(option)))")
            #expect(Self.inShellText(bash, option), "completions/fabric.bash does not know \(option)")
            #expect(Self.inShellText(bash, Self.dashed(option)), "completions/fabric.bash does not know \(Self.dashed(option))")
            #expect(Self.inShellText(zsh, option), "completions/_fabric does not know \(option)")
            #expect(Self.inShellText(fish, String(option.dropFirst(2))), "completions/fabric.fish does not know \(option)")
        }
        for option in common + ["--help", "--version"] {
            let commandHelp = Harness().run(Self.wrapper, ["help", "machine", "create"]).stdout
            #expect(Self.inShellText(commandHelp, option), "fabric help machine create no longer mentions \(option)")
        }
        #expect(help.contains("USAGE: fabric"), "\(help)")
        for command in commands {
            let words = command.name.split(separator: " ").map(String.init)
            let groupHelp = Harness().run(Self.wrapper, ["help", words[0]]).stdout
            #expect(groupHelp.contains("\n  \(words[1]) "), "fabric help \(words[0]) does not show fabric \(command.name)")
            #expect(page.contains(".SS \"\(command.name)\""), "man/fabric.1 has no section on fabric \(command.name)")
            #expect(Self.inShellText(zsh, words[1]) && fish.contains("-a \(words[1])"),
                    "the zsh and fish completions do not offer fabric \(command.name)")
            let commandHelp = Harness().run(Self.wrapper, ["help"] + words).stdout
            for option in command.options {
                if !command.aliases.contains(option) {
                    #expect(Self.inShellText(commandHelp, option), "fabric help \(command.name) does not show \(option)")
                }
                let bare = String(option.dropFirst(2))
                #expect(["'", ")", "*"].contains { zsh.contains("\($0)\(option)[") }, "completions/_fabric: fabric \(command.name) \(option)")
                #expect(fish.contains(" \(bare) ") || fish.contains(" \(bare)\n"), "completions/fabric.fish: fabric \(command.name) \(option)")
            }
        }

        // What bash offers, in both spellings: the whole word typed must be among the candidates.
        var lines = ["fabric ", "fabric provider ", "fabric machine ", "fabric snapshot "]
        var expected: [[String]] = [["provider", "machine", "snapshot", "help"], ["register", "unregister", "list"],
                                    ["create", "destroy", "list"], ["create", "destroy"]]
        for command in commands {
            for option in command.options + common {
                for spelling in Set([option, Self.dashed(option)]) {
                    lines.append("fabric \(command.name) demo \(spelling)")
                    expected.append([spelling])
                }
            }
        }
        let answers = Self.bashComplete(lines, store: Harness())
        #expect(answers.count == lines.count)
        for (index, line) in lines.enumerated() where index < answers.count {
            for word in expected[index] {
                #expect(answers[index].contains(word), "bash: `\(line)<TAB>` does not offer \(word); it offers \(answers[index])")
            }
        }
    }

    /// fabric(1)'s SYNOPSIS shows each command of the table with its arguments and exactly its
    /// options (a command may have several forms; their options together are the command's).
    @Test func wrapperSynopsisMatchesTheTable() throws {
        let (commands, _) = try Self.wrapperTable()
        let synopsis = Self.section("SYNOPSIS", of: Self.text(Self.man, "fabric.1"))
        // The forms, each the lines after `.B fabric` and before the next .PP.
        let forms = synopsis.components(separatedBy: "\n.PP\n").map { $0.split(separator: "\n").map(String.init) }
        let optionPattern = try NSRegularExpression(pattern: #"\\-\\-[a-z][a-z_\\-]*[a-z]"#)
        for command in commands {
            let mine = forms.filter { $0.contains(".B \(command.name)") }
            #expect(!mine.isEmpty, "man/fabric.1 SYNOPSIS has no form of fabric \(command.name)")
            var options: Set<String> = []
            for form in mine {
                let rest = form.drop { $0 != ".B \(command.name)" }.dropFirst()
                // Its arguments: the words of the .I and .RI lines before the first option.
                let arguments = rest.prefix { $0.hasPrefix(".I ") || $0.hasPrefix(".RI ") }
                    .flatMap { $0.split(separator: " ").dropFirst() }
                    .map { $0.replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: "") }
                    .filter { !$0.isEmpty }
                    .reduce(into: [String]()) { words, word in
                        if word == "..." || word.hasSuffix("...") && words.last == String(word.dropLast(3)) {
                            words[words.count - 1] += "..."
                        } else if words.last != word { words.append(word) }
                    }
                #expect(command.arguments.starts(with: arguments) && !arguments.isEmpty || command.arguments.isEmpty && arguments.isEmpty,
                        "man/fabric.1 SYNOPSIS: fabric \(command.name) takes \(arguments), the table says \(command.arguments)")
                for line in rest {
                    for match in optionPattern.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                        options.insert(String(line[Range(match.range, in: line)!]).replacingOccurrences(of: "\\-", with: "-"))
                    }
                }
            }
            let table = Set(command.options.filter { !command.aliases.contains($0) })
            #expect(options == table, "man/fabric.1 SYNOPSIS of fabric \(command.name): \(options.sorted()), the table: \(table.sorted())")
        }
    }

    @Test func completionsOfferProviderIdsAndMachineUuids() {
        let h = Harness()
        h.registerNull("cloud-a")
        let created = h.sh("fabric --json machine create cloud-a")
        #expect(created.status == 0, "\(created.stderr)")
        let uuid = created.records.first?["uuid"] as? String ?? "?"
        let tier = h.sh("fabric --json machine create cloud-a --group web-tier --number_machines 2").records.compactMap { $0["uuid"] as? String }
        #expect(tier.count == 2)
        // A command that changes nothing makes no job; a destroy of one of the group's two does.
        let job = h.sh("fabric --json provider list --synchronous=false").records.first?["job"] as? Int
        let started = h.sh("fabric --json machine destroy cloud-a \(tier.first ?? "?") --synchronous=false").records.first?["job"] as? Int
        #expect(job == nil && started != nil, "a background job to complete: \(String(describing: started))")
        let lines = ["fabric machine create ", "fabric machine destroy cloud-a ", "fabric-boot -p ",
                     "fabric-store list --provider=", "fabric store get provider ", "fabric-destroy -p cloud-a ",
                     "fabric machine scale cloud-a ", "fabric job show "]
        let expected = ["cloud-a", uuid, "cloud-a", "cloud-a", "cloud-a", uuid, "web-tier", String(started ?? -1)]
        let answers = Self.bashComplete(lines, store: h)
        for (index, line) in lines.enumerated() {
            #expect(answers.count > index && answers[index].contains(expected[index]),
                    "bash: `\(line)<TAB>` does not offer \(expected[index])")
        }
        // TAB never creates a store.
        let missing = h.directory.appendingPathComponent("none/fabric.db").path
        _ = Self.bashComplete(["fabric-boot --store \(missing) -p "], store: h)
        #expect(!FileManager.default.fileExists(atPath: missing), "completing created \(missing)")
    }

    // MARK: the completion files are valid scripts

    @Test(.enabled(if: DocumentationTests.which("shellcheck") != nil, "shellcheck is not installed (make deps installs it)"))
    func bashCompletionPassesShellcheck() {
        let path = Self.completions.appendingPathComponent("fabric.bash").path
        let syntax = Harness().run("/bin/bash", ["-n", path])
        #expect(syntax.status == 0, "bash -n: \(syntax.stderr)")
        for script in [path, Self.completions.appendingPathComponent("regenerate").path] {
            let lint = Harness().run(Self.which("shellcheck")!, ["-s", "bash", script])
            #expect(lint.status == 0, "shellcheck \(script):\n\(lint.stdout)\(lint.stderr)")
        }
    }

    @Test(.enabled(if: DocumentationTests.which("zsh") != nil, "zsh is not installed (make deps installs it)"))
    func zshCompletionsParse() {
        for name in ["_fabric"] + Self.tools.map({ "_\($0)" }) {
            let result = Harness().run(Self.which("zsh")!, ["-n", Self.completions.appendingPathComponent(name).path])
            #expect(result.status == 0 && result.stderr.isEmpty, "zsh -n \(name): \(result.stderr)")
        }
    }

    @Test(.enabled(if: DocumentationTests.which("fish") != nil, "fish is not installed (make deps installs it)"))
    func fishCompletionsParse() {
        for name in ["fabric.fish"] + Self.tools.map({ "\($0).fish" }) {
            let result = Harness().run(Self.which("fish")!, ["-n", Self.completions.appendingPathComponent(name).path])
            #expect(result.status == 0 && result.stderr.isEmpty, "fish -n \(name): \(result.stderr)")
        }
    }

    // MARK: (c) the pages render without warnings

    @Test(.enabled(if: DocumentationTests.which("groff") != nil, "groff is not installed (make deps installs groff-base)"), arguments: pages)
    func manPageRendersWithoutGroffWarnings(page: String) {
        let result = Harness().run(Self.which("groff")!, ["-man", "-Tutf8", "-ww", "-z", Self.man.appendingPathComponent(page).path])
        #expect(result.status == 0 && result.stderr.isEmpty, "groff -man -Tutf8 -ww -z man/\(page):\n\(result.stderr)")
    }

    @Test(.enabled(if: DocumentationTests.which("mandoc") != nil, "mandoc is not installed (make deps installs it)"), arguments: pages)
    func manPagePassesMandocLint(page: String) {
        let result = Harness().run(Self.which("mandoc")!, ["-T", "lint", "-W", "warning", Self.man.appendingPathComponent(page).path])
        #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty,
                "mandoc -T lint -W warning man/\(page):\n\(result.stdout)\(result.stderr)")
    }

    // MARK: (d) the generated completions are what the tools generate now

    @Test func generatedCompletionsAreCurrent() throws {
        let h = Harness()
        let out = h.directory.appendingPathComponent("completions")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let result = h.run("/bin/bash", [Self.completions.appendingPathComponent("regenerate").path, Harness.binDirectory.path, out.path])
        #expect(result.status == 0, "completions/regenerate: \(result.stderr)")
        let generated = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(generated.count == 2 * Self.tools.count + 3, "regenerate wrote \(generated)")
        for name in generated {
            #expect(Self.text(out, name) == Self.text(Self.completions, name),
                    "completions/\(name) differs from what the tool generates now: run completions/regenerate")
        }
    }

    // MARK: (e) every page has the required sections, and the same exit statuses

    static func sections(_ page: String) -> [String] {
        page.split(separator: "\n").filter { $0.hasPrefix(".SH ") }
            .map { $0.dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
    }

    static func section(_ name: String, of page: String) -> String {
        guard let start = page.range(of: ".SH \"\(name)\"\n") ?? page.range(of: ".SH \(name)\n") else { return "" }
        let rest = page[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n.SH ")?.lowerBound ?? rest.endIndex)])
    }

    @Test(arguments: pages)
    func manPageHasTheRequiredSections(page: String) {
        let text = Self.text(Self.man, page)
        let required = page.hasSuffix(".7")
            ? ["NAME", "SYNOPSIS", "DESCRIPTION", "INPUT", "OUTPUT", "EXIT STATUS", "EXAMPLES", "SEE ALSO"]
            : ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "INPUT", "OUTPUT", "EXIT STATUS", "ENVIRONMENT", "FILES",
               "EXAMPLES", "SEE ALSO"]
        let present = Self.sections(text)
        for name in required { #expect(present.contains(name), "man/\(page) lacks the section \(name)") }
        let order = present.filter(required.contains)
        #expect(order == required.filter(present.contains), "man/\(page): sections out of order: \(present)")
        let name = String(page.dropLast(2))
        let section = page.suffix(1)
        #expect(text.hasPrefix(".TH \(name.uppercased()) \(section) "), "man/\(page): .TH does not name \(name)(\(section))")
        // The version is written once (Sources/FabricRecords/System/Version.swift): a page's .TH
        // says "fabric" and packaging/install adds the version to the installed copy.
        #expect(text.split(separator: "\n").first?.hasSuffix(" \"fabric\" \"fabric manual\"") == true,
                "man/\(page): .TH should end \"fabric\" \"fabric manual\"")
        #expect(!text.contains(WrapperTests.version), "man/\(page) writes the version \(WrapperTests.version) out")
        #expect(Self.section("NAME", of: text).hasPrefix(Self.roff(name) + " \\- "), "man/\(page): NAME is not \(name)")
        #expect(Self.section("EXAMPLES", of: text).contains("| jq "), "man/\(page): EXAMPLES do not use jq")
        if page != "fabric.1" { #expect(Self.section("SEE ALSO", of: text).contains(".BR fabric (1)"), "man/\(page): SEE ALSO fabric(1)") }
    }

    /// The exit statuses of FabricError.Kind, read from the source, so the table follows it.
    static func exitStatuses() throws -> [(name: String, status: Int)] {
        let source = Self.text(Harness.root, "Sources/FabricRecords/Errors/FabricError.swift")
        let names = try NSRegularExpression(pattern: #"case (\w+) = "(\w+)""#)
        let statuses = try NSRegularExpression(pattern: #"case \.(\w+): (\d+)"#)
        func pairs(_ pattern: NSRegularExpression) -> [String: String] {
            var result: [String: String] = [:]
            for match in pattern.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                result[String(source[Range(match.range(at: 1), in: source)!])] = String(source[Range(match.range(at: 2), in: source)!])
            }
            return result
        }
        let kindNames = pairs(names), kindStatuses = pairs(statuses)
        guard !kindNames.isEmpty, kindNames.count == kindStatuses.count else {
            throw DocumentationError("cannot read the exit statuses from FabricError.swift")
        }
        return kindNames.keys.sorted().map { (kindNames[$0]!, Int(kindStatuses[$0]!)!) }
    }

    @Test func everyPageHasTheSameExitStatusTable() throws {
        let canonical = Self.section("EXIT STATUS", of: Self.text(Self.man, "fabric-records.7"))
        #expect(!canonical.isEmpty)
        for page in Self.pages {
            #expect(Self.section("EXIT STATUS", of: Self.text(Self.man, page)).hasPrefix(canonical),
                    "man/\(page): EXIT STATUS differs from fabric-records(7)'s")
        }
        for (name, status) in try Self.exitStatuses() {
            #expect(canonical.contains(".B \(status)\n") || canonical.contains(".BR \(status) "), "EXIT STATUS lacks \(status)")
            if name.hasSuffix("Error") && !["UsageError", "InputError"].contains(name) {
                #expect(canonical.contains(".B \(status)\n.BR \(name) :"), "EXIT STATUS does not give \(name) as \(status)")
            }
        }
        #expect(canonical.contains(".BR 130 \", \" 143"), "EXIT STATUS lacks 130/143")
    }

    /// Every --extra setting of every provider type, as the table of provider types gives them
    /// (`fabric-tools --provider-types`), is in fabric(1) under PROVIDERS, in its type's part,
    /// and completed by bash; every type and alias is completed too.
    @Test func everyProviderSettingIsDocumentedAndCompleted() throws {
        let h = Harness()
        let listing = h.run(Harness.binDirectory.appendingPathComponent("fabric-tools").path, ["--provider-types"])
        #expect(listing.status == 0, "\(listing.stderr)")
        let types = listing.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(types.count == 3, "fabric-tools --provider-types printed \(listing.stdout)")
        let providers = Self.section("PROVIDERS", of: Self.text(Self.man, "fabric.1"))
        let bash = Self.text(Harness.root, "completions/fabric.bash")
        for type in types {
            let name = try #require(type["type"] as? String)
            let settings = try #require(type["settings"] as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(settings.count >= 8, "\(name) has \(settings.count) settings")
            let start = try #require(providers.range(of: ".SS \(name)\n"), "fabric(1) PROVIDERS has no part for \(name)")
            let part = String(providers[start.upperBound...]).components(separatedBy: "\n.SS ").first ?? ""
            for key in settings {
                #expect(part.contains("\(key)="), "fabric(1) PROVIDERS, \(name), does not document --extra \(key)")
                #expect(bash.contains(key), "completions/fabric.bash does not complete --extra \(key)")
            }
            for spelling in [name] + (type["aliases"] as? [String] ?? []) {
                #expect(bash.contains(spelling), "completions/fabric.bash does not complete the type \(spelling)")
            }
        }
    }

    // MARK: the examples on the pages run

    /// The commands of a page's OPTIONS and EXAMPLES: the lines of its .EX blocks that start with
    /// "$ ", joined with the lines they continue onto (ending in a backslash), roff escapes undone.
    static func examples(_ page: String) -> [String] {
        var commands: [String] = []
        var section = ""
        var inExample = false
        var current: [String]?
        for line in page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix(".SH ") { section = line.dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
            if line.hasPrefix(".EX") { inExample = true; continue }
            if line.hasPrefix(".EE") { inExample = false; current = nil; continue }
            guard inExample, section == "OPTIONS" || section == "EXAMPLES" else { continue }
            let text = unescape(line)
            if current != nil {
                current!.append(text)
            } else if text.hasPrefix("$ ") {
                current = [String(text.dropFirst(2))]
            } else {
                continue
            }
            if !text.hasSuffix("\\") {
                commands.append(current!.joined(separator: "\n"))
                current = nil
            }
        }
        return commands
    }

    /// Undoes the escapes the pages use in examples.
    static func unescape(_ line: String) -> String {
        var out = ""
        var rest = Substring(line)
        while let first = rest.first {
            rest = rest.dropFirst()
            guard first == "\\", let next = rest.first else { out.append(first); continue }
            rest = rest.dropFirst()
            switch next {
            case "-": out.append("-")
            case "e": out.append("\\")
            case "&": break
            case "f": rest = rest.dropFirst()
            case "(":
                let name = rest.prefix(2)
                rest = rest.dropFirst(2)
                switch name {
                case "aq": out.append("'")
                case "dq": out.append("\"")
                case "em": out.append("--")
                default: out.append("?")
                }
            default: out.append(next)
            }
        }
        return out
    }

    @Test(arguments: pages)
    func manPageExamplesRun(page: String) {
        let commands = Self.examples(Self.text(Self.man, page))
        #expect(commands.count >= 5, "man/\(page) has only \(commands.count) examples")
        let h = Harness()
        // What every page's examples start from: the provider and machines of fabric(1).
        var script = """
            set -o pipefail
            export RACKSPACE_PASSWORD=example
            fabric provider register demo admin secret null:// demo --provider_type null \\
              --default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium > /dev/null || exit 99
            fabric machine create demo --number_machines 2 --wait_spawning > /dev/null || exit 99
            fabric snapshot create demo "$(fabric-store list machines -p demo | jq -r .uuid | head -n 1)" \\
              --wait_spawning > /dev/null || exit 99

            """
        for (index, command) in commands.enumerated() {
            script += """
                {
                \(command)
                } > out.\(index) 2> err.\(index) < /dev/null
                status=$?
                if [ "$status" != 0 ]; then printf '@@failed %s %s\\n' \(index) "$status"; cat err.\(index); fi

                """
        }
        let result = h.sh(script)
        #expect(result.status == 0, "the examples' setup failed: \(result.stderr)")
        let failures = result.stdout.components(separatedBy: "@@failed ").dropFirst()
        for failure in failures {
            let index = Int(failure.prefix { $0.isNumber }) ?? -1
            let command = commands.indices.contains(index) ? commands[index] : "?"
            Issue.record("man/\(page): example \(index) fails:\n$ \(command)\n\(failure)")
        }
    }
}
