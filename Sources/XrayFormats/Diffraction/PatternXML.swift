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
        let parser = XMLParser(data: data)
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        let ok = parser.parse()
        guard ok, let root = builder.root, builder.stack.isEmpty else {
            let line = parser.lineNumber
            let reason = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "unexpected end of document"
            throw RoentgenError.badFile(file, line: line > 0 ? line : nil,
                                        "malformed or truncated XML (\(reason)); expected a complete XML document")
        }
        return root
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
