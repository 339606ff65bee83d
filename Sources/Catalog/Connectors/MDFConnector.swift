import Foundation
import XrayCore

/// Materials Data Facility: a Globus Search index, searched anonymously
/// (`POST {index}/search` with a GSearchRequest; answer `gmeta[].entries[].content`).
/// Record files carry `url` (HTTPS on a Globus endpoint), `globus` and `sha512`; dataset-level
/// data is often reachable only through Globus Transfer ("Globus only").
public struct MDFConnector: Connector {
    public let name = "mdf"
    public let baseURL: URL
    let http: HTTPClient

    public init(baseURL: URL, http: HTTPClient) {
        self.baseURL = baseURL
        self.http = http
    }

    /// Globus Search query string: free text AND technique words AND `material.elements:El`.
    public func queryString(_ q: SearchQuery) -> String {
        var parts: [String] = []
        if let t = q.technique { parts.append("(" + t.keywords.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " OR ") + ")") }
        if let e = q.element { parts.append("material.elements:\(e)") }
        if !q.text.isEmpty { parts.append(q.text) }
        return parts.isEmpty ? "*" : parts.joined(separator: " AND ")
    }

    public func search(_ q: SearchQuery) async throws -> [DatasetRecord] {
        var records: [DatasetRecord] = []
        var offset = 0
        while records.count < q.limit && offset < 10_000 {
            let body: [String: Any] = ["q": queryString(q), "advanced": true, "limit": min(q.limit - records.count, 100), "offset": offset]
            let json = try await http.postJSON(baseURL.appendingSegment("search"), body: body)
            let entries = json["gmeta"].array.flatMap { $0["entries"].array }
            records += entries.compactMap { record($0["content"]) }
            offset += json["gmeta"].array.count
            let total = json["total"].int64 ?? 0
            if json["gmeta"].array.isEmpty || Int64(offset) >= total { break }
        }
        return Array(records.prefix(q.limit))
    }

    /// MDF DOIs (`10.18126/…`): the dataset record whose `dc.identifier` is the DOI.
    public func resolve(doi: String) async throws -> DatasetRecord? {
        let body: [String: Any] = ["q": "dc.identifier.identifier:\"\(doi)\"", "advanced": true, "limit": 1]
        let json = try await http.postJSON(baseURL.appendingSegment("search"), body: body)
        return json["gmeta"].array.flatMap { $0["entries"].array }.first.flatMap { record($0["content"]) }
    }

    /// Parses one MDF record or dataset (`content` of a GMeta entry).
    public func record(_ c: JSON) -> DatasetRecord? {
        let mdf = c["mdf"]
        guard let id = mdf["mdf_id"].string ?? mdf["source_id"].string else { return nil }
        let sourceName = mdf["source_name"].string ?? ""
        let subjects = c["dc"]["subjects"].array.compactMap { $0["subject"].string }
        let techniques = TechniqueMap.tags(forKeywords: subjects + sourceName.split(separator: "_").map(String.init))
        var files = c["files"].array.compactMap { f -> DatasetFile? in
            guard let name = f["filename"].string else { return nil }
            return DatasetFile(name: name, size: f["length"].int64, checksum: f["sha512"].string.map { Checksum(.sha512, $0) },
                               url: f["url"].string.flatMap(URL.init(string:)), globus: f["globus"].string)
        }
        if files.isEmpty, let endpoint = c["data"]["endpoint_path"].string {
            files = [DatasetFile(name: sourceName.isEmpty ? id : sourceName, globus: endpoint)]
        }
        let isDataset = mdf["resource_type"].string == "dataset"
        let title = c["dc"]["titles"][0]["title"].string ?? "\(sourceName) \(isDataset ? "dataset" : "record") \(id)"
        return DatasetRecord(
            id: "mdf:\(id)", source: name, title: title, doi: c["dc"]["identifier"]["identifier"].string,
            techniques: techniques, elements: c["material"]["elements"].strings, sample: c["material"]["composition"].string,
            facility: c["dc"]["publisher"].string, created: c["dc"]["dates"][0]["date"].string ?? mdf["ingest_date"].string,
            published: c["dc"]["publicationYear"].string, license: normaliseLicense(c["dc"]["rightsList"][0]["rights"].string),
            files: files, landingPage: c["data"]["link"].string.flatMap(URL.init(string:)),
            summary: plainText(c["dc"]["descriptions"][0]["description"].string), access: .api)
    }
}
