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
    public static let all: [NoAPISource] = [
        NoAPISource(name: "ssrl", title: "SSRL XAFS reference spectra (no API)", page: URL(string: "https://www-ssrl.slac.stanford.edu/")!,
                    note: "no documented library endpoint was found.", techniques: ["PaNET01196"]),
        NoAPISource(name: "lytle", title: "Farrel Lytle XAFS archive (directory listing, no API)",
                    page: URL(string: "http://ixs.iit.edu/database/data/Farrel_Lytle_data/")!,
                    note: "a static directory tree of old beamline files.", techniques: ["PaNET01196"]),
        NoAPISource(name: "xasdb", title: "CLS XASDB reference spectra (web app, no documented API)",
                    page: URL(string: "https://xasdb.lightsource.ca/")!,
                    note: "per-spectrum XDI downloads through the web interface only.", techniques: ["PaNET01196"]),
        NoAPISource(name: "refxas", title: "RefXAS (DAPHNE4NFDI) reference XAS database (no documented API)",
                    page: URL(string: "https://www.daphne4nfdi.de/")!,
                    note: "an automated query service is described, but no API is documented.", techniques: ["PaNET01196"]),
    ]
}
