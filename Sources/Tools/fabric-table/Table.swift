import ArgumentParser
import FabricCLI
import FabricRecords

struct Table: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric-table",
        abstract: "Print records as an aligned table, for people.",
        discussion: """
            Reads records and prints one row per record under upper-case column headers. A column \
            is a field name or a dotted path (image.name). Lists print comma-separated; objects \
            print their name, or their JSON. The fabric wrapper uses this when standard output \
            is a terminal.
            """,
        version: fabricVersionLine)

    @Option(help: ArgumentHelp(
        "Comma-separated columns (default: the first record's fields, less kind).", valueName: "list"))
    var columns: String?

    @Flag(name: .customLong("no-header"), help: "Leave out the header line.")
    var noHeader = false

    func cell(_ record: JSON, _ path: String) -> String {
        var value: JSON? = record
        for part in path.split(separator: ".") { value = value?[String(part)] }
        guard let value else { return "" }
        switch value.kind {
        case .array: return value.items.map { $0.scalarText ?? $0.encoded() }.joined(separator: ",")
        case .object: return value["name"]?.scalarText ?? value.encoded()
        default: return value.scalarText ?? ""
        }
    }

    func run() throws {
        var reader = RecordReader()
        let records = try reader.readAll()
        let names = columns.map { $0.split(separator: ",").map { String($0) } }
            ?? records.first?.keys.filter { $0 != "kind" } ?? []
        // No records, no table: a failed command upstream leaves no stray header behind it.
        guard !names.isEmpty, !records.isEmpty else { return }
        var rows = records.map { record in names.map { cell(record, $0) } }
        if !noHeader { rows.insert(names.map { $0.uppercased() }, at: 0) }
        var widths = names.map { _ in 0 }
        for row in rows { for (index, text) in row.enumerated() { widths[index] = max(widths[index], text.count) } }
        for row in rows {
            let line = row.enumerated().map { index, text in
                index == row.count - 1 ? text : text + String(repeating: " ", count: widths[index] - text.count)
            }.joined(separator: "  ")
            RecordWriter.standardOutput.write(line: line)
        }
    }
}
