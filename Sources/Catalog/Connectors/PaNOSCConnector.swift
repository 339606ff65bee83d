import Foundation
import XrayCore

/// The PaNOSC search API: the federated service behind data.panosc.eu, or any single
/// facility's endpoint (same spec). LoopBack `filter=` JSON with `limit`/`skip`, free-text
/// `query` (scored), techniques by PaNET IRI. A catalogue only: file names via
/// `/Datasets/{pid}/files`, no bytes.
public struct PaNOSCConnector: Connector {
    public let name: String
    public let baseURL: URL
    let http: HTTPClient

    public static let defaultBaseURL = URL(string: "https://federated.panosc.ess.eu/api")!

    public init(name: String = "panosc", baseURL: URL = PaNOSCConnector.defaultBaseURL, http: HTTPClient) {
        self.name = name
        self.baseURL = baseURL
        self.http = http
    }

    /// Facility of a provider host (from data.panosc.eu's provider list, searchui-providers.json).
    public static let facilities: [String: String] = [
        "icatplus.esrf.fr": "ESRF", "search.panosc.ess.eu": "ESS", "scicat.ess.eu": "ESS", "fairdata.ill.fr": "ILL",
        "searchapi.maxiv.lu.se": "MAXIV", "dacat.psi.ch": "PSI", "data.ceric-eric.eu": "CERIC",
        "in.xfel.eu": "EuXFEL", "data.cells.es": "ALBA", "scicat.hzdr.de": "HZDR",
    ]

    /// The LoopBack filter for a query: text as `query`, technique as PaNET IRIs (term and narrower) or labels.
    public func filter(_ query: SearchQuery, skip: Int = 0) -> [String: Any] {
        var filter: [String: Any] = ["limit": query.limit, "skip": skip]
        let text = [query.text, query.element ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        if !text.isEmpty { filter["query"] = text }
        var techniques: [String: Any] = ["relation": "techniques"]
        if let t = query.technique {
            let ids = [t.id] + t.narrower
            let iris = ids.map { "http://purl.org/pan-science/PaNET/" + $0 }
            let labels = ids.compactMap { TechniqueMap.term($0)?.label }
            techniques["scope"] = ["where": ["or": [["pid": ["inq": iris]], ["name": ["inq": labels]]]]]
        }
        filter["include"] = [techniques, ["relation": "instrument"]]
        return filter
    }

    public func search(_ query: SearchQuery) async throws -> [DatasetRecord] {
        let url = baseURL.appendingSegment("Datasets").addingQuery([("filter", jsonText(filter(query)))])
        return try await http.getJSON(url).array.compactMap(record)
    }

    public func record(id: String) async throws -> DatasetRecord {
        let filter = jsonText(["include": [["relation": "techniques"], ["relation": "instrument"]]])
        let url = baseURL.appendingSegment("Datasets").appendingSegment(id).addingQuery([("filter", filter)])
        return try requireRecord(try await http.getJSON(url), from: url, expected: "a PaNOSC Dataset with a pid", record)
    }

    /// File names and sizes (`/Datasets/{pid}/files`); no download URLs — PaNOSC is a catalogue.
    public func files(of record: DatasetRecord) async throws -> [DatasetFile] {
        let url = baseURL.appendingSegment("Datasets").appendingSegment(record.nativeID).appendingSegment("files")
        return try await http.getJSON(url).array.compactMap { f in
            guard let name = f["name"].string else { return nil }
            let path = f["path"].string.map { $0.hasSuffix("/") ? $0 + name : $0 + "/" + name } ?? name
            return DatasetFile(name: path, size: f["size"].int64)
        }
    }

    /// Parses one PaNOSC Dataset.
    public func record(_ d: JSON) -> DatasetRecord? {
        guard let pid = d["pid"].string else { return nil }
        let provider = d["provider"].string.flatMap(URL.init(string:)) ?? baseURL
        let facility = d["instrument"]["facility"].string ?? provider.host.flatMap { Self.facilities[$0] }
        let techniques = d["techniques"].array.compactMap { t -> TechniqueTag? in
            guard let term = t["pid"].string ?? t["name"].string else { return nil }
            let byIRI = TechniqueMap.tag(term)
            return byIRI.panetID != nil ? byIRI : TechniqueMap.tag(t["name"].string ?? term)
        }
        return DatasetRecord(
            id: "\(name):\(pid)", source: name, title: d["title"].string ?? "(untitled)",
            doi: DOI.normalise(pid), techniques: techniques, facility: facility, instrument: d["instrument"]["name"].string,
            created: d["creationDate"].string, files: [], landingPage: nil,
            summary: d["size"].int64.map { "\($0) bytes" }, access: .catalogueOnly, score: d["score"].double)
    }
}
