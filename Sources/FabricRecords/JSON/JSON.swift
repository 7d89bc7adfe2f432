import CJansson
import Glibc

/// A JSON value held by jansson. Records keep every field they were given, known or not,
/// so values stay in jansson's tree and Swift reads and writes only the fields it needs.
public final class JSON: @unchecked Sendable {
    let raw: UnsafeMutablePointer<json_t>

    /// Takes over a reference the caller owns (a "new" reference in jansson's terms).
    init(owning raw: UnsafeMutablePointer<json_t>) { self.raw = raw }

    /// Adds a reference to a value jansson lends us (a "borrowed" reference).
    init(borrowing raw: UnsafeMutablePointer<json_t>) { self.raw = json_incref(raw)! }

    deinit { json_decref(raw) }

    public static func object() -> JSON { JSON(owning: json_object()) }
    public static func array(_ items: [JSON] = []) -> JSON {
        let array = JSON(owning: json_array())
        for item in items { array.append(item) }
        return array
    }
    public static var null: JSON { JSON(owning: json_null()) }

    public convenience init(_ value: String) {
        self.init(owning: value.withCString { json_stringn($0, strlen($0)) } ?? json_string(""))
    }
    public convenience init(_ value: Int) { self.init(owning: json_integer(json_int_t(value))) }
    public convenience init(_ value: Double) { self.init(owning: json_real(value)) }
    public convenience init(_ value: Bool) { self.init(owning: value ? json_true() : json_false()) }
    public convenience init(_ values: [String]) {
        self.init(owning: json_array())
        for value in values { append(JSON(value)) }
    }
    public convenience init(_ pairs: KeyValuePairs<String, JSON>) {
        self.init(owning: json_object())
        for (key, value) in pairs { self[key] = value }
    }

    public enum Kind: String { case object, array, string, integer, real, `true`, `false`, null }

    public var kind: Kind {
        switch fabric_json_type(raw) {
        case JSON_OBJECT: .object
        case JSON_ARRAY: .array
        case JSON_STRING: .string
        case JSON_INTEGER: .integer
        case JSON_REAL: .real
        case JSON_TRUE: .true
        case JSON_FALSE: .false
        default: .null
        }
    }

    public var isObject: Bool { kind == .object }
    public var isNull: Bool { kind == .null }

    public var string: String? {
        guard kind == .string, let chars = json_string_value(raw) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: chars, count: json_string_length(raw)), as: UTF8.self)
    }
    public var int: Int? { kind == .integer ? Int(json_integer_value(raw)) : nil }
    /// Any JSON number, for values a cloud may send either way (sizes, factors).
    public var number: Double? {
        switch kind {
        case .integer: Double(json_integer_value(raw))
        case .real: json_real_value(raw)
        default: nil
        }
    }
    public var bool: Bool? {
        switch kind {
        case .true: true
        case .false: false
        default: nil
        }
    }

    /// The text of a scalar as a user would type it, for `key=value` matching and tables.
    public var scalarText: String? {
        switch kind {
        case .string: string
        case .integer: String(json_integer_value(raw))
        case .real: formatNumber(json_real_value(raw))
        case .true: "true"
        case .false: "false"
        case .null: ""
        default: nil
        }
    }

    // MARK: objects

    public subscript(key: String) -> JSON? {
        get {
            guard kind == .object, let value = json_object_get(raw, key) else { return nil }
            return JSON(borrowing: value)
        }
        set {
            precondition(kind == .object, "setting a field on a non-object")
            if let newValue { json_object_set(raw, key, newValue.raw) } else { json_object_del(raw, key) }
        }
    }

    /// Keys in insertion order (jansson keeps it), with their values.
    public var fields: [(key: String, value: JSON)] {
        guard kind == .object else { return [] }
        var result: [(String, JSON)] = []
        var iter = json_object_iter(raw)
        while let current = iter {
            let key = String(cString: fabric_json_iter_key(current))
            result.append((key, JSON(borrowing: json_object_iter_value(current))))
            iter = json_object_iter_next(raw, current)
        }
        return result
    }

    public var keys: [String] { fields.map(\.key) }

    // MARK: arrays

    public var items: [JSON] {
        guard kind == .array else { return [] }
        return (0..<json_array_size(raw)).map { JSON(borrowing: json_array_get(raw, $0)) }
    }

    public func append(_ item: JSON) {
        precondition(kind == .array, "appending to a non-array")
        json_array_append(raw, item.raw)
    }

    /// A deep copy, so a record can be fanned out (one input, N machines) without sharing fields.
    public func copy() -> JSON { JSON(owning: json_deep_copy(raw)) }

    public func strings(_ key: String) -> [String] { self[key]?.items.compactMap(\.string) ?? [] }
}

extension JSON: Equatable {
    public static func == (lhs: JSON, rhs: JSON) -> Bool { json_equal(lhs.raw, rhs.raw) != 0 }
}

extension JSON: CustomStringConvertible {
    public var description: String { encoded() }
}
