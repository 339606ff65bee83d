/// Renders the catalog as the human list, grouped in the seed list's sections, so the list
/// and the data cannot drift apart.
public enum CatalogRenderer {
    /// Markdown: one section per `SourceRecord.Section` in declaration order, a bullet per
    /// record (name linked to its homepage, description, techniques, access, licence, API).
    public static func markdown(_ records: [SourceRecord], vocabulary: PaNET = .shared) -> String {
        var lines = ["# Open experimental X-ray data sources", "",
                     "Generated from `catalog/` by `roentgen catalog render --markdown`; edit the records, not this list.", ""]
        for section in SourceRecord.Section.allCases {
            let members = records.filter { $0.section == section }.sorted { $0.name.lowercased() < $1.name.lowercased() }
            guard !members.isEmpty else { continue }
            lines.append("## \(section.title)")
            lines.append("")
            for record in members {
                lines.append("* **[\(record.name)](\(record.homepage))** – \(record.description)")
                var facts: [String] = []
                let techniques = record.techniques.map { name -> String in
                    guard let term = vocabulary.term(named: name) else { return name }
                    return term.altLabels.first ?? term.label
                }
                if !techniques.isEmpty { facts.append("Techniques: " + techniques.joined(separator: ", ")) }
                facts.append("Access: " + record.access.joined(separator: ", "))
                facts.append("Licence: \(record.license.name) (redistribution: \(record.license.redistribution))")
                if record.api.kind != "none", let base = record.api.baseURL {
                    facts.append("API: \(record.api.kind) `\(base)`")
                }
                if let size = record.size { facts.append("Size: \(size)") }
                lines.append("  " + facts.joined(separator: " · ") + ". `id: \(record.id)`")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// A compact Markdown table (id, name, kind, techniques, API) for the README.
    public static func table(_ records: [SourceRecord], vocabulary: PaNET = .shared) -> String {
        var lines = ["| id | source | kind | techniques | API |", "| --- | --- | --- | --- | --- |"]
        for section in SourceRecord.Section.allCases {
            for record in records.filter({ $0.section == section }).sorted(by: { $0.name.lowercased() < $1.name.lowercased() }) {
                let techniques = record.techniques.map { vocabulary.term(named: $0)?.altLabels.first ?? $0 }
                lines.append("| `\(record.id)` | [\(record.name)](\(record.homepage)) | \(record.kind.rawValue) | \(techniques.joined(separator: ", ")) | \(record.api.kind) |")
            }
        }
        return lines.joined(separator: "\n")
    }
}
