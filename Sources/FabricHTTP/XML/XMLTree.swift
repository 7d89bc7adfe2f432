import CExpat

/// One element of an XML document read with expat: its name (without namespace), the text
/// directly inside it, and its child elements in order. Attributes are dropped: the replies
/// fabric reads (EC2's) carry everything in elements.
public final class XMLTree {
    public let name: String
    public fileprivate(set) var text: String = ""
    public fileprivate(set) var children: [XMLTree] = []
    fileprivate var bytes: [UInt8] = []

    init(name: String) { self.name = name }

    /// The first child element with this name.
    public subscript(_ child: String) -> XMLTree? { children.first { $0.name == child } }

    /// The text of the element at the end of a path of child names, or nil when absent or empty.
    public func text(_ path: String...) -> String? {
        var node: XMLTree? = self
        for name in path { node = node?[name] }
        guard let text = node?.text, !text.isEmpty else { return nil }
        return text
    }

    /// The `<item>` children of a set element (EC2's lists: instancesSet, tagSet, ...).
    public func items(_ set: String) -> [XMLTree] { self[set]?.children.filter { $0.name == "item" } ?? [] }

    /// Every element named `name` at any depth below this one, in document order.
    public func descendants(named name: String) -> [XMLTree] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(named: name) }
    }

    /// Parses a whole document. A document type declaration is refused, so no entity can be
    /// defined to expand (expat's own amplification limits stand behind this too).
    public static func parse(_ document: [UInt8]) -> Result<XMLTree, XMLSyntaxError> {
        guard let parser = XML_ParserCreate(nil) else { return .failure(XMLSyntaxError(reason: "out of memory", line: 0)) }
        defer { XML_ParserFree(parser) }
        let builder = Builder()
        let context = Unmanaged.passUnretained(builder).toOpaque()
        XML_SetUserData(parser, context)
        XML_SetElementHandler(parser, { context, name, _ in
            let builder = Unmanaged<Builder>.fromOpaque(context!).takeUnretainedValue()
            // The local name: after the last ':' of a prefixed name.
            var start = name!
            var scan = name!
            while scan.pointee != 0 {
                if scan.pointee == CChar(UInt8(ascii: ":")) { start = scan + 1 }
                scan += 1
            }
            builder.open(String(cString: start))
        }, { context, _ in
            Unmanaged<Builder>.fromOpaque(context!).takeUnretainedValue().close()
        })
        XML_SetCharacterDataHandler(parser, { context, data, length in
            let builder = Unmanaged<Builder>.fromOpaque(context!).takeUnretainedValue()
            data!.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                builder.characters(UnsafeBufferPointer(start: $0, count: Int(length)))
            }
        })
        XML_SetStartDoctypeDeclHandler(parser, { context, _, _, _, _ in
            Unmanaged<Builder>.fromOpaque(context!).takeUnretainedValue().refusedDoctype = true
        })
        let status = document.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
                XML_Parse(parser, $0, Int32(buffer.count), 1)
            }
        }
        let line = Int(XML_GetCurrentLineNumber(parser))
        if builder.refusedDoctype { return .failure(XMLSyntaxError(reason: "a document type declaration is not accepted", line: line)) }
        guard status == XML_STATUS_OK else {
            let reason = XML_ErrorString(XML_GetErrorCode(parser)).map { String(cString: $0) } ?? "malformed"
            return .failure(XMLSyntaxError(reason: reason, line: line))
        }
        guard let root = builder.root else { return .failure(XMLSyntaxError(reason: "no element", line: line)) }
        return .success(root)
    }

    /// Keeps the open elements while expat walks the document.
    private final class Builder {
        var stack: [XMLTree] = []
        var root: XMLTree?
        var refusedDoctype = false

        func open(_ name: String) {
            let element = XMLTree(name: name)
            if let parent = stack.last { parent.children.append(element) } else { root = element }
            stack.append(element)
        }

        func close() {
            guard let element = stack.popLast() else { return }
            element.text = String(decoding: element.bytes, as: UTF8.self)
            element.bytes = []
        }

        func characters(_ data: UnsafeBufferPointer<UInt8>) {
            stack.last?.bytes.append(contentsOf: data)
        }
    }
}

public struct XMLSyntaxError: Error {
    public let reason: String
    public let line: Int
}
