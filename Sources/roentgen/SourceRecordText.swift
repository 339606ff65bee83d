import Catalog

/// The plain-text page `roentgen sources show` prints.
enum SourceRecordText {
    static func describe(_ record: SourceRecord, incoming: [(type: String, source: SourceRecord)]) -> String {
        var lines: [String] = []
        func field(_ name: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            lines.append(Output.pad(name + ":", 16) + value)
        }
        lines.append(record.name)
        lines.append(String(repeating: "=", count: min(record.name.count, 78)))
        field("id", record.id)
        field("kind", record.kind.rawValue + " (" + record.section.title + ")")
        field("homepage", record.homepage)
        field("operator", record.operator)
        field("facility", record.facility)
        let techniques = record.techniques.map { name -> String in
            guard let term = PaNET.shared.term(named: name) else { return name }
            return "\(term.label) [\(term.id)]"
        }
        field("techniques", techniques.joined(separator: "; "))
        field("elements", record.elements?.joined(separator: ", "))
        field("edges", record.edges?.joined(separator: ", "))
        var api = record.api.kind
        if let base = record.api.baseURL { api += "  " + base }
        field("api", api)
        field("api note", record.api.note)
        field("api docs", record.api.docs)
        field("identifiers", record.identifiers.policy)
        field("DOIs", record.identifiers.dois?.joined(separator: ", "))
        field("DOI prefixes", record.identifiers.doiPrefixes?.joined(separator: ", "))
        field("licence", record.license.name + (record.license.spdx.map { " (\($0))" } ?? ""))
        field("redistribute", record.license.redistribution)
        field("access", record.access.joined(separator: ", "))
        field("formats", record.formats.joined(separator: ", "))
        field("size", record.size)
        field("verified", record.lastVerified + (record.verifiedBy.map { " — \($0)" } ?? ""))
        lines.append("")
        lines.append(record.description)
        if let recipe = record.libraryRecipe, !recipe.isEmpty {
            lines.append("")
            lines.append("As a reference library:")
            lines += recipe.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        }
        if let relations = record.relations, !relations.isEmpty {
            lines.append("")
            lines.append("Relations:")
            for relation in relations { lines.append("  \(relation.type) → \(relation.target)") }
        }
        if !incoming.isEmpty {
            lines.append("")
            lines.append("Referenced by:")
            for (type, source) in incoming { lines.append("  \(source.id) \(type) this") }
        }
        return lines.joined(separator: "\n")
    }
}
