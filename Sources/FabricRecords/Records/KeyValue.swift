/// Parses the `key=value` form every multi-valued option uses (--image, --flavor, --meta,
/// --scheduler-hint, --extra, --file). The value may itself contain '='.
public func parseKeyValue(_ text: String, option: String) throws(FabricError) -> (key: String, value: String) {
    guard let equals = text.firstIndex(of: "=") else {
        throw FabricError.usage("\(option) \(quoted(text)) is not of the form key=value")
    }
    let key = String(text[..<equals])
    if key.isEmpty { throw FabricError.usage("\(option) \(quoted(text)) has an empty key") }
    if key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
        throw FabricError.usage("\(option) key \(quoted(key)) contains a control character")
    }
    return (key, String(text[text.index(after: equals)...]))
}

public func parseKeyValues(_ texts: [String], option: String) throws(FabricError) -> [(key: String, value: String)] {
    var result: [(key: String, value: String)] = []
    for text in texts { result.append(try parseKeyValue(text, option: option)) }
    return result
}

/// A whole number option value, with an error naming the option and the bounds.
public func parseCount(_ text: String, option: String, range: ClosedRange<Int>) throws(FabricError) -> Int {
    guard let value = Int(text.trimmingSpaces), range.contains(value) else {
        throw FabricError.usage("\(option) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(quoted(text))")
    }
    return value
}

extension String {
    public var trimmingSpaces: Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return Substring(scalars[first...last])
    }
}
