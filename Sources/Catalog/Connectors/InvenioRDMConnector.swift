import Foundation
import XrayCore

/// An InvenioRDM repository (Zenodo, Materials Cloud Archive, other Invenio sites):
/// `GET {base}/records?q=&size=&page=`, `GET {base}/records/{id}`, `GET {base}/records/{id}/files`.
///
/// Reads both JSON generations: Zenodo's legacy-compatible record (`files[]{filename, filesize,
/// checksum}`, `metadata.license.id`) and InvenioRDM-native (`files.entries{key, size,
/// checksum "md5:…"}`, `metadata.rights[]`, `pids.doi`). File URLs are always built from
/// record id + file key (`{base}/records/{id}/files/{key}/content`), never from stored links,
/// which broke in Zenodo's 2023 migration.
public struct InvenioRDMConnector: Connector {
    public let name: String
    public let baseURL: URL
    /// Largest page size the site allows anonymous users (Zenodo: 25).
    public let maxPageSize: Int
    /// Landing-page pattern: `{id}` is replaced by the record id.
    public let landingTemplate: String?
    let http: HTTPClient

    public init(name: String, baseURL: URL, maxPageSize: Int = 25, landingTemplate: String? = nil, http: HTTPClient) {
        self.name = name
        self.baseURL = baseURL
        self.maxPageSize = maxPageSize
        self.landingTemplate = landingTemplate
        self.http = http
    }

    public func search(_ query: SearchQuery) async throws -> [DatasetRecord] {
        var records: [DatasetRecord] = []
        var page = 1
        let size = min(query.limit, maxPageSize)
        while records.count < query.limit {
            let url = baseURL.appendingSegment("records")
                .addingQuery([("q", query.keywordQuery), ("size", String(size)), ("page", String(page))])
            let json = try await http.getJSON(url)
            let hits = json["hits"]["hits"].array
            records += hits.compactMap(record)
            let total = json["hits"]["total"].int64 ?? json["hits"]["total"]["value"].int64 ?? 0
            if hits.isEmpty || Int64(page * size) >= total { break }
            page += 1
        }
        return Array(records.prefix(query.limit))
    }

    /// The record `id` (`GET {base}/records/{id}`).
    public func record(id: String) async throws -> DatasetRecord {
        let url = baseURL.appendingSegment("records").appendingSegment(id)
        return try requireRecord(try await http.getJSON(url), from: url, expected: "an InvenioRDM record with an id", record)
    }

    public func files(of record: DatasetRecord) async throws -> [DatasetFile] {
        if !record.files.isEmpty { return record.files }
        if record.access == .restricted {
            throw RoentgenError(.notFound, "the files of \(record.id) are not open (restricted access); request access on the record's page",
                                url: record.landingPage?.absoluteString)
        }
        let url = baseURL.appendingSegment("records").appendingSegment(record.nativeID).appendingSegment("files")
        let json = try await http.getJSON(url)
        return files(json["entries"], recordID: record.nativeID)
    }

    /// Parses one record of either JSON generation.
    public func record(_ hit: JSON) -> DatasetRecord? {
        guard let id = hit["id"].string ?? hit["recid"].string else { return nil }
        let metadata = hit["metadata"]
        let doi = hit["doi"].string ?? metadata["doi"].string ?? hit["pids"]["doi"]["identifier"].string
        let keywords = metadata["keywords"].strings + metadata["subjects"].array.compactMap { $0["subject"].string }
        let license = metadata["license"]["id"].string ?? metadata["rights"][0]["id"].string
            ?? metadata["rights"][0]["title"]["en"].string
        let landing = landingTemplate.flatMap { URL(string: $0.replacingOccurrences(of: "{id}", with: id)) }
            ?? hit["links"]["self_html"].string.flatMap(URL.init(string:))
        let accessRight = metadata["access_right"].string ?? hit["access"]["files"].string ?? "open"
        let fileList = hit["files"].array.isEmpty ? files(hit["files"]["entries"], recordID: id) : files(hit["files"], recordID: id)
        return DatasetRecord(
            id: "\(name):\(id)", source: name,
            title: metadata["title"].string ?? hit["title"].string ?? "(untitled)",
            doi: doi, techniques: TechniqueMap.tags(forKeywords: keywords),
            created: hit["created"].string, published: metadata["publication_date"].string,
            license: normaliseLicense(license), files: fileList, landingPage: landing,
            summary: plainText(metadata["description"].string),
            access: ["restricted", "closed", "embargoed"].contains(accessRight.lowercased()) ? .restricted : .api)
    }

    /// Files from a legacy `files[]` array or a native `entries` (object keyed by name, or array).
    func files(_ json: JSON, recordID: String) -> [DatasetFile] {
        let items = json.object.map { Array($0.values) } ?? json.array
        return items.compactMap { item -> DatasetFile? in
            guard let key = item["key"].string ?? item["filename"].string else { return nil }
            return DatasetFile(name: key, size: item["size"].int64 ?? item["filesize"].int64,
                               checksum: item["checksum"].string.flatMap(Checksum.init(parsing:)),
                               url: fileURL(recordID: recordID, key: key))
        }.sorted { $0.name < $1.name }
    }

    /// `{base}/records/{id}/files/{key}/content`.
    public func fileURL(recordID: String, key: String) -> URL {
        baseURL.appendingSegment("records").appendingSegment(recordID).appendingSegment("files")
            .appendingPathKeepingSlashes(key).appendingPathComponent("content")
    }
}
