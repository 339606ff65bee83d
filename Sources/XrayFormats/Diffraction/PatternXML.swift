import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XrayCore

/// A small read-only XML tree for the XML-based diffraction formats (XRDML, BRML, RASX conditions).
final class PatternXML {
    /// Element name without namespace prefix.
    let name: String
    let attributes: [String: String]
    var children: [PatternXML] = []
    /// Concatenated character data directly inside this element.
    var text: String = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// The first child named `name`.
    func child(_ name: String) -> PatternXML? { children.first { $0.name == name } }

    /// All children named `name`.
    func children(_ name: String) -> [PatternXML] { children.filter { $0.name == name } }

    /// The first descendant (depth-first) named `name`.
    func first(_ name: String) -> PatternXML? {
        for c in children {
            if c.name == name { return c }
            if let found = c.first(name) { return found }
        }
        return nil
    }

    /// Every descendant named `name`, depth-first.
    func all(_ name: String) -> [PatternXML] {
        var out: [PatternXML] = []
        func walk(_ node: PatternXML) {
            for c in node.children {
                if c.name == name { out.append(c) }
                walk(c)
            }
        }
        walk(self)
        return out
    }

    /// Text with blanks trimmed.
    var value: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Leaf values and attributes flattened to `path.to.leaf` → text (`@attr` for attributes),
    /// repeated paths numbered `[2]`, `[3]` …; elements in `skip` (bulk data) are left out.
    func flatten(into metadata: inout Metadata, prefix: String, skip: Set<String> = []) {
        var seen: [String: Int] = [:]
        for (k, v) in attributes.sorted(by: { $0.key < $1.key }) where !k.hasPrefix("xmlns") && !k.hasPrefix("xsi:") {
            metadata[prefix + "@" + k] = v
        }
        if children.isEmpty {
            let v = value
            if !v.isEmpty || attributes.isEmpty { metadata[prefix] = v }
            return
        }
        for c in children where !skip.contains(c.name) {
            seen[c.name, default: 0] += 1
            let n = seen[c.name]!
            let key = prefix.isEmpty ? c.name : prefix + "." + c.name
            c.flatten(into: &metadata, prefix: n == 1 ? key : key + "[\(n)]", skip: skip)
        }
    }

    /// Parses `data` into a tree; malformed or truncated XML throws with the line number.
    static func parse(_ data: Data, file: String) throws -> PatternXML {
        let builder = Builder()
        let parser = XMLParser(data: try utf8(data, file: file))
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        let ok = parser.parse()
        guard ok, let root = builder.root, builder.stack.isEmpty else {
            let line = parser.lineNumber
            let code = parser.parserError.map { ($0 as NSError).code }
            let reason: String
            switch code {
            case 5?, nil: reason = "the document ends before its elements are closed (truncated file?)"
            case 4?: reason = "the document is empty"
            case let c?: reason = "XML syntax error \(c) at column \(parser.columnNumber)"
            }
            throw RoentgenError.badFile(file, line: line > 0 ? line : nil,
                                        "malformed or truncated XML: \(reason); expected a complete XML document")
        }
        return root
    }

    /// The document as UTF-8: Latin-1 documents (declared so) are transcoded; anything else that
    /// is not valid UTF-8 is rejected here (Foundation's XMLParser traps on invalid UTF-8 in names).
    static func utf8(_ data: Data, file: String) throws -> Data {
        let bytes = [UInt8](data)
        guard let bad = PatternText.firstInvalidUTF8(bytes) else { return data }
        let declaration = String(decoding: bytes.prefix(100), as: UTF8.self).lowercased()
        if declaration.hasPrefix("<?xml"), declaration.contains("iso-8859-1") || declaration.contains("latin") || declaration.contains("windows-1252") {
            var text = String(bytes.map { Character(Unicode.Scalar($0)) })
            if let r = text.range(of: #"encoding\s*=\s*["'][^"']*["']"#, options: .regularExpression) {
                text.replaceSubrange(r, with: "encoding=\"UTF-8\"")
            }
            return Data(text.utf8)
        }
        throw RoentgenError.badFile(file, byteOffset: bad, "invalid UTF-8 byte 0x\(String(bytes[bad], radix: 16)) in an XML document declared (or defaulting to) UTF-8")
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: PatternXML?
        var stack: [PatternXML] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            let node = PatternXML(name: local, attributes: attributeDict)
            if let parent = stack.last { parent.children.append(node) } else if root == nil { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
        }
    }
}
