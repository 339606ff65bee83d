import Foundation
import XrayCore

/// A SciCat catalogue (`/api/v3`, LoopBack filters): public datasets (`isPublished: true`),
/// `OrigDatablocks` for file lists, `PublishedData` for DOIs. Technique pids are not normalised
/// (`PaNET01168` or full IRIs), so both forms are queried and read.
public struct SciCatConnector: Connector {
    public let name: String
    public let baseURL: URL
    let http: HTTPClient

    public init(name: String = "scicat", baseURL: URL, http: HTTPClient) {
        self.name = name
        self.baseURL = baseURL
        self.http = http
    }

    public func filter(_ query: SearchQuery) -> [String: Any] {
        var and: [[String: Any]] = [["isPublished": true]]
        let text = [query.text, query.element ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        if !text.isEmpty {
            and.append(["or": [["datasetName": ["like": text, "options": "i"]], ["description": ["like": text, "options": "i"]]]])
        }
        if let t = query.technique {
            let ids = [t.id] + t.narrower
            and.append(["techniques.pid": ["inq": ids + ids.map { "http://purl.org/pan-science/PaNET/" + $0 }]])
        }
        return ["where": ["and": and], "limit": query.limit]
    }

    public func search(_ query: SearchQuery) async throws -> [DatasetRecord] {
        let url = baseURL.appendingSegment("Datasets").addingQuery([("filter", jsonText(filter(query)))])
        return try await http.getJSON(url).array.compactMap(record)
    }

    public func record(id: String) async throws -> DatasetRecord {
        let url = baseURL.appendingSegment("Datasets").appendingSegment(id)
        return try requireRecord(try await http.getJSON(url), from: url, expected: "a SciCat Dataset with a pid", record)
    }

    /// Files from `OrigDatablocks` (path, size); URLs only where `sourceFolder` is itself an http(s) URL.
    public func files(of record: DatasetRecord) async throws -> [DatasetFile] {
        let filter = jsonText(["where": ["datasetId": record.nativeID]])
        let url = baseURL.appendingSegment("OrigDatablocks").addingQuery([("filter", filter)])
        let folder = record.landingPage.flatMap { $0.scheme?.hasPrefix("http") == true ? $0 : nil }
        return try await http.getJSON(url).array.flatMap { $0["dataFileList"].array }.compactMap { f in
            guard let path = f["path"].string else { return nil }
            return DatasetFile(name: path, size: f["size"].int64, url: folder.map { $0.appendingPathKeepingSlashes(path) })
        }
    }

    /// `GET /PublishedData/{doi}`: the DOI's title and download link.
    public func resolve(doi: String) async throws -> DatasetRecord? {
        let url = baseURL.appendingSegment("PublishedData").appendingSegment(doi)
        let p: JSON
        do { p = try await http.getJSON(url) } catch let e as RoentgenError where e.kind == .notFound { return nil }
        guard let found = p["doi"].string ?? p["_id"].string else { return nil }
        return DatasetRecord(id: "\(name):\(found)", source: name, title: p["title"].string ?? "(untitled)", doi: found,
                             published: p["publicationYear"].string, landingPage: p["downloadLink"].string.flatMap(URL.init(string:)),
                             summary: plainText(p["abstract"].string), access: .catalogueOnly)
    }

    /// Parses one SciCat Dataset (API shape `pid`, or the Mongo export's `_id` and `{"$date": …}`).
    public func record(_ d: JSON) -> DatasetRecord? {
        guard let pid = d["pid"].string ?? d["_id"].string else { return nil }
        let date: (JSON) -> String? = { $0["$date"].string ?? $0.string }
        let techniques = d["techniques"].array.compactMap { t -> TechniqueTag? in
            guard let id = t["pid"].string else { return nil }
            let tag = TechniqueMap.tag(id)
            return tag.panetID != nil ? tag : TechniqueTag(panetID: id.hasPrefix("PaNET") ? id : nil,
                                                          label: t["name"].string?.split(separator: ".").last.map(String.init) ?? id, sourceTerm: id)
        }
        let sample = d["scientificMetadata"]["sample"]["chemical_formula"].string ?? d["scientificMetadata"]["chemical_formula"]["value"].string
        return DatasetRecord(
            id: "\(name):\(pid)", source: name, title: d["datasetName"].string ?? d["description"].string ?? pid,
            techniques: techniques, sample: sample, facility: d["creationLocation"].string ?? d["ownerGroup"].string,
            created: date(d["creationTime"]), published: date(d["datasetlifecycle"]["dateOfPublishing"]),
            license: normaliseLicense(d["license"].string), files: [],
            landingPage: d["sourceFolder"].string.flatMap(URL.init(string:)).flatMap { $0.scheme?.hasPrefix("http") == true ? $0 : nil },
            summary: plainText(d["description"].string), access: .catalogueOnly)
    }
}
