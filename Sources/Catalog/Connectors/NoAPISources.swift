import Foundation

/// Sources of open X-ray data that have no public API: search results say so plainly and
/// point to their pages (../shared/docs/portal-apis.md §4).
public struct NoAPISource: Sendable {
    public var name: String
    public var title: String
    public var page: URL
    public var note: String
    /// PaNET ids of what the source holds.
    public var techniques: [String]

    /// Whether a query is in this source's scope (its technique, or XAS words in the text).
    public func covers(_ query: SearchQuery) -> Bool {
        if let t = query.technique {
            // The query term is the source's term, broader, or narrower.
            return techniques.contains { t.matches($0) || TechniqueMap.term($0)?.matches(t.id) == true }
        }
        let text = query.text.lowercased()
        return ["xas", "xafs", "xanes", "exafs", "absorption"].contains { text.contains($0) }
    }

    /// The single result standing for this source.
    public var record: DatasetRecord {
        DatasetRecord(id: "\(name):library", source: name, title: title,
                      techniques: techniques.compactMap { TechniqueMap.term($0) }.map { TechniqueTag(panetID: $0.id, label: $0.label, sourceTerm: $0.label) },
                      landingPage: page, summary: "No public API: \(note) Search by hand at \(page.absoluteString).", access: .noAPI)
    }
}

public enum NoAPISources {
    /// The catalog's reference libraries whose record says `api: {kind: none}`, so the list of
    /// sources without an API and the curated catalog cannot disagree.
    public static let all: [NoAPISource] = {
        let records = (try? CatalogLoader.load(.embedded)) ?? []
        return records.filter { $0.kind == .referenceLibrary && $0.api.kind == "none" }.compactMap { record in
            guard let page = URL(string: record.homepage) else { return nil }
            let ids = record.techniques.compactMap { PaNET.shared.term(named: $0)?.id }
            return NoAPISource(name: record.id, title: "\(record.name) (no API)", page: page,
                               note: (record.api.note ?? "no documented API") + ".", techniques: ids)
        }
    }()
}
