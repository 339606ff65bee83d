import Foundation
import XrayCore

/// DataCite REST API (`api.datacite.org`, JSON:API): `GET /dois/{doi}` for one DOI,
/// `GET /dois?query=&resource-type-id=dataset&page[size]=&page[cursor]=` for search.
///
/// Page-number paging stops at 10 000 records, and `links.next` drops the filters, so search
/// pages by cursor and rebuilds each next URL with the filters re-applied. DataCite gives
/// landing pages, rarely files (`contentUrl`): the resolver dispatches the rest by DOI prefix.
public struct DataCiteConnector: Connector {
    public let name = "datacite"
    public let baseURL: URL
    let http: HTTPClient

    public static let defaultBaseURL = URL(string: "https://api.datacite.org")!

    public init(baseURL: URL = DataCiteConnector.defaultBaseURL, http: HTTPClient) {
        self.baseURL = baseURL
        self.http = http
    }

    public func search(_ query: SearchQuery) async throws -> [DatasetRecord] {
        var records: [DatasetRecord] = []
        var cursor = "1"
        let size = min(query.limit, 1000)
        while records.count < query.limit {
            let url = baseURL.appendingSegment("dois").addingQuery([
                ("query", query.keywordQuery), ("resource-type-id", "dataset"),
                ("page[size]", String(size)), ("page[cursor]", cursor),
            ])
            let json = try await http.getJSON(url)
            let data = json["data"].array
            records += data.compactMap(record)
            guard !data.isEmpty, let next = json["links"]["next"].string.flatMap(URLComponents.init(string:)),
                  let nextCursor = next.queryItems?.first(where: { $0.name == "page[cursor]" })?.value,
                  nextCursor != cursor else { break }
            cursor = nextCursor
        }
        return Array(records.prefix(query.limit))
    }

    public func resolve(doi: String) async throws -> DatasetRecord? {
        guard let normal = DOI.normalise(doi) else { throw RoentgenError.badParameter("'\(doi)' is not a DOI (expected 10.NNNN/…)") }
        // DataCite's own clients send the DOI path unencoded (`/dois/10.5281/zenodo.48440`).
        let url = baseURL.appendingSegment("dois").appendingPathKeepingSlashes(normal)
        do {
            return record(try await http.getJSON(url)["data"])
        } catch let error as RoentgenError where error.kind == .notFound {
            return nil
        }
    }

    /// Parses one JSON:API `dois` resource.
    public func record(_ data: JSON) -> DatasetRecord? {
        let a = data["attributes"]
        guard let doi = a["doi"].string ?? data["id"].string else { return nil }
        let rights = a["rightsList"].array
        // Identifiers and URIs first; free text only where it names a licence ("no associated licence" does not).
        let license = rights.lazy.compactMap { normaliseLicense($0["rightsIdentifier"].string) ?? normaliseLicense($0["rightsUri"].string) }.first
            ?? rights.lazy.compactMap { $0["rights"].string }.first { $0.lowercased().contains("licen") && !$0.lowercased().contains("no associated licen") }
                .flatMap(normaliseLicense)
        let dates = a["dates"].array
        let created = dates.first { $0["dateType"].string == "Created" || $0["dateType"].string == "Collected" }?["date"].string
        let files = a["contentUrl"].strings.compactMap { text -> DatasetFile? in
            guard let url = URL(string: text) else { return nil }
            return DatasetFile(name: url.lastPathComponent, url: url)
        }
        return DatasetRecord(
            id: "datacite:\(doi.lowercased())", source: name,
            title: a["titles"][0]["title"].string ?? "(untitled)", doi: doi,
            techniques: TechniqueMap.tags(forKeywords: a["subjects"].array.compactMap { $0["subject"].string }),
            facility: a["publisher"].string ?? a["publisher"]["name"].string,
            created: created, published: a["publicationYear"].string, license: license, files: files,
            landingPage: a["url"].string.flatMap(URL.init(string:)),
            summary: plainText(a["descriptions"][0]["description"].string),
            access: files.isEmpty ? .catalogueOnly : .api)
    }
}
