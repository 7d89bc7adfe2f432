import ArgumentParser
import FabricCLI
import FabricRecords

/// `fabric __commands`: the command tree's declarations as tab-separated lines, for what is
/// generated from them (completions/regenerate: the completions and fabric(1)'s SYNOPSIS) and
/// for DocumentationTests. Read from swift-argument-parser's own description of the tree
/// (`--experimental-dump-help`), so nothing here restates an option.
///
///     group    NAME SUMMARY
///     command  "GROUP COMMAND" ARGUMENTS SUMMARY       (provider_id:provider completes ids; NAME... repeats)
///     option   "GROUP COMMAND"|* KIND NAME VALUE COMPLETION HELP   (KIND: flag, valued, multi)
///     alias    "GROUP COMMAND" NAME OPTION
///     one_of   "GROUP COMMAND"|* NAMES
enum CommandTable {
    /// Options every command takes: printed once, for `*`.
    static let common: Set<String> = ["store", "store_password_file", "json", "table", "synchronous"]

    /// What the completions offer for an option's value beyond a file name, by option.
    static let valueCompletion = ["image": "image-keys", "flavor": "flavor-keys", "extra": "extra-keys",
                                  "private_nics": "nic", "public_nics": "nic", "password-env": "env",
                                  "provider_type": "provider-type", "address": "address", "provider_id": "provider"]

    static func print() throws(FabricError) {
        let text: String
        do {
            _ = try Fabric.parseAsRoot(["--experimental-dump-help"])
            throw FabricError.usage("the command tree printed no description of itself")
        } catch let error as FabricError {
            throw error
        } catch {
            text = Fabric.fullMessage(for: error)
        }
        let description: JSON
        do { description = try JSON.parse(text) } catch { throw FabricError.input("the tree's description is no JSON: \(error.reason)") }
        guard let tree = description["command"] else { throw FabricError.input("no command in the tree's description") }
        var lines: [String] = []
        var commonLines: [String] = []
        for group in tree["subcommands"]?.items ?? [] {
            guard let name = group["commandName"]?.string, name != "help" else { continue }
            lines.append(row("group", name, group["abstract"]?.string ?? ""))
            for command in group["subcommands"]?.items ?? [] {
                let full = "\(name) \(command["commandName"]?.string ?? "")"
                var arguments: [String] = []
                var options: [String] = []
                for argument in command["arguments"]?.items ?? [] where argument["shouldDisplay"]?.bool != false {
                    let kind = argument["kind"]?.string ?? ""
                    let value = argument["valueName"]?.string ?? ""
                    let completion = argument["completionKind"]
                    if kind == "positional" {
                        let completes = completion?["custom"] != nil
                            ? [("provider_id", ":provider"), ("machine_uuid", ":machine"), ("group", ":group"), ("job_id", ":job")]
                                .first { $0.0 == value }?.1 ?? "" : ""
                        arguments.append(value + completes + (argument["isRepeating"]?.bool == true && !value.contains(" ") ? "..." : ""))
                        continue
                    }
                    let names = (argument["names"]?.items ?? []).filter { $0["kind"]?.string == "long" }.compactMap { $0["name"]?.string }
                    guard let first = names.first, !["help", "version"].contains(first) else { continue }
                    let optionKind = kind == "flag" ? "flag" : argument["isRepeating"]?.bool == true ? "multi" : "valued"
                    let completes = valueCompletion[first] ?? (completion?["file"] != nil ? "file" : "-")
                    let line = row("option", common.contains(first) ? "*" : full, optionKind, first,
                                   kind == "flag" ? "-" : value, completes, argument["abstract"]?.string ?? "")
                    if common.contains(first) {
                        if !commonLines.contains(line) { commonLines.append(line) }
                        continue
                    }
                    options.append(line)
                    for other in names.dropFirst() where other != twin(first) {
                        options.append(row("alias", full, other, first))
                    }
                }
                lines.append(row("command", full, arguments.isEmpty ? "-" : arguments.joined(separator: " "),
                                 command["abstract"]?.string ?? ""))
                lines += options
            }
        }
        lines += commonLines
        lines.append(row("one_of", "provider register", "password-file password-stdin password-env"))
        lines.append(row("one_of", "*", "json table"))
        RecordWriter.standardOutput.write(line: lines.joined(separator: "\n"))
    }

    private static func twin(_ name: String) -> String { String(name.map { $0 == "_" ? "-" : $0 == "-" ? "_" : $0 }) }

    private static func row(_ fields: String...) -> String {
        fields.map { String($0.map { $0 == "\t" || $0 == "\n" ? " " : $0 }) }.joined(separator: "\t")
    }
}
