import ArgumentParser
import FabricCLI
import FabricRecords
import FabricStore
import Glibc

extension StoreTool {
    struct Group: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a named group's record, or keep the options it is created with.",
            discussion: """
                `group -p ID NAME` prints {"kind":"group",...}: the options kept (those of the \
                group's last `machine create --group`) and how many machines the store holds; \
                an unknown group is an error. --save -- ARG... keeps ARGs as its options; \
                --print0 prints them, each followed by a NUL byte, for `mapfile -d ''`.
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var providerOptions: ProviderOptions

        @Argument(help: ArgumentHelp("The group's name.", valueName: "name"))
        var name: String

        @Flag(help: "Keep the arguments after -- as the group's create options.")
        var save = false

        @Flag(help: "Print the kept options NUL-separated instead of the record.")
        var print0 = false

        @Argument(parsing: .postTerminator, help: ArgumentHelp("With --save: the options.", valueName: "arg"))
        var options: [String] = []

        func validate() throws {
            try Identifier.group.check(name)
        }

        func run() throws {
            guard let provider = providerOptions.provider else { throw FabricError.usage("group needs -p ID") }
            let store = try Store(storeOptions)
            _ = try store.provider(provider)
            if save {
                try store.saveGroupOptions(provider: provider, group: name, options: options)
                return
            }
            if !options.isEmpty { throw FabricError.usage("arguments after -- go with --save") }
            let record = try store.requireGroup(provider: provider, name: name)
            if print0 {
                for option in record["options"]?.items ?? [] {
                    // Not fputs: a C string ends at the NUL it would write.
                    fputs(option.string ?? "", stdout)
                    putchar(0)
                }
            } else {
                RecordWriter.standardOutput.write(record)
            }
        }
    }

    struct Protect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Protect stored machines from a scale's removal (--off: no longer).",
            discussion: "Sets (or clears) the records' `protected` field and prints them. Every UUID is looked up first: an unknown one changes nothing.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var providerOptions: ProviderOptions

        @Argument(help: ArgumentHelp("The machines.", valueName: "uuid"))
        var uuids: [String]

        @Flag(help: "Clear the protection instead.")
        var off = false

        func validate() throws {
            for uuid in uuids { try Identifier.machine.check(uuid) }
        }

        func run() throws {
            guard let provider = providerOptions.provider else { throw FabricError.usage("protect needs -p ID") }
            guard !uuids.isEmpty else { throw FabricError.usage("protect needs machine UUIDs") }
            let store = try Store(storeOptions)
            _ = try store.provider(provider)
            for record in try store.protect(provider: provider, uuids: uuids, !off) { RecordWriter.standardOutput.write(record) }
        }
    }
}
