import Foundation

/// Zenodo (zenodo.org, InvenioRDM since Oct 2023). Anonymous page size ≤ 25; files carry md5.
public enum Zenodo {
    public static let defaultBaseURL = URL(string: "https://zenodo.org/api")!

    public static func connector(baseURL: URL = defaultBaseURL, http: HTTPClient) -> InvenioRDMConnector {
        InvenioRDMConnector(name: "zenodo", baseURL: baseURL, maxPageSize: 25,
                            landingTemplate: "https://zenodo.org/records/{id}", http: http)
    }

    /// The record number of a Zenodo DOI: `10.5281/zenodo.7085903` → `7085903`.
    public static func recordID(ofDOI doi: String) -> String? {
        guard let normal = DOI.normalise(doi), normal.hasPrefix("10.5281/zenodo.") else { return nil }
        let id = normal.dropFirst("10.5281/zenodo.".count)
        return !id.isEmpty && id.allSatisfy(\.isNumber) ? String(id) : nil
    }

    /// The record id in a Zenodo landing URL (`https://zenodo.org/records/N`, legacy `/record/N`).
    public static func recordID(ofLandingPage url: URL) -> String? {
        guard url.host?.hasSuffix("zenodo.org") == true else { return nil }
        let parts = url.pathComponents
        guard let i = parts.firstIndex(where: { $0 == "records" || $0 == "record" }), i + 1 < parts.count else { return nil }
        return parts[i + 1].allSatisfy(\.isNumber) ? parts[i + 1] : nil
    }
}

extension InvenioRDMConnector {
    /// For Zenodo DOIs, the record itself; other DOIs are left to DataCite.
    public func resolve(doi: String) async throws -> DatasetRecord? {
        if name == "zenodo", let id = Zenodo.recordID(ofDOI: doi) { return try await record(id: id) }
        if name == "materialscloud", DOI.normalise(doi)?.hasPrefix("10.24435/materialscloud") == true {
            let hits = try await search(SearchQuery(text: "pids.doi.identifier:\"\(doi)\"", limit: 1))
            return hits.first
        }
        return nil
    }
}
