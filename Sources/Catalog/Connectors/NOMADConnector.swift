import Foundation
import XrayCore

/// Thrown by a connector that cannot serve a query (e.g. NOMAD has no free-text search);
/// federated search reports the source as skipped with this reason.
public struct ConnectorSkip: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { reason }
}

/// NOMAD API v1 (`/entries/query`, cursor paging with `page_after_value`, raw files).
public struct NOMADConnector: Connector {
    public let name = "nomad"
    public let baseURL: URL
    let http: HTTPClient

    public static let defaultBaseURL = URL(string: "https://nomad-lab.eu/prod/v1/api/v1")!

    public init(baseURL: URL = NOMADConnector.defaultBaseURL, http: HTTPClient) {
        self.baseURL = baseURL
        self.http = http
    }

    /// NOMAD's own technique terms → PaNET (results.method.method_name, spectra.type,
    /// xrd.diffraction_method_name values from nomad/datamodel/results.py).
    public static let techniqueTable: [String: String] = [
        "XRD": "PaNET01216", "XPS": "PaNET01204", "XAS": "PaNET01196", "XANES": "PaNET01199", "EXAFS": "PaNET01198",
        "XES": "PaNET01200",
        "Powder X-Ray Diffraction (PXRD)": "PaNET01101", "Single Crystal X-Ray Diffraction (SCXRD)": "PaNET01102",
        "Small-Angle X-Ray Scattering (SAXS)": "PaNET01188", "X-Ray Reflectivity (XRR)": "PaNET01149",
        "Grazing Incidence X-Ray Diffraction (GIXRD)": "PaNET01161",
    ]

    /// The NOMAD query for a search: elements, and the technique as method name or spectrum type.
    public func query(_ q: SearchQuery) throws -> [String: Any] {
        var query: [String: Any] = [:]
        let words = q.text.split(separator: " ").map(String.init)
        let elements = (words.filter { Element.named($0)?.symbol == $0 } + [q.element].compactMap { $0 })
        if !elements.isEmpty { query["results.material.elements"] = ["all": Array(Set(elements)).sorted()] }
        if let t = q.technique {
            let ids = Set([t.id] + t.narrower)
            let terms = Self.techniqueTable.filter { ids.contains($0.value) }.map(\.key).sorted()
            let spectra = terms.filter { ["XAS", "XANES", "EXAFS", "XES"].contains($0) }
            let methods = terms.filter { ["XRD", "XPS"].contains($0) }
            let xrd = terms.filter { $0.contains("(") }
            var or: [[String: Any]] = []
            if !spectra.isEmpty { or.append(["results.properties.spectroscopic.spectra.type:any": spectra]) }
            if !methods.isEmpty { or.append(["results.method.method_name:any": methods]) }
            if !xrd.isEmpty { or.append(["results.method.measurement.xrd.diffraction_method_name:any": xrd]) }
            if or.isEmpty { throw ConnectorSkip(reason: "NOMAD has no term for '\(t.label)'") }
            query["or"] = or
        }
        if query.isEmpty { throw ConnectorSkip(reason: "NOMAD has no free-text search: give --technique or --element") }
        return query
    }

    static let required = ["entry_id", "upload_id", "entry_name", "mainfile", "upload_create_time", "license", "datasets",
                           "results.material", "results.method", "results.properties.spectroscopic.spectra.type"]

    public func search(_ q: SearchQuery) async throws -> [DatasetRecord] {
        let query = try self.query(q)
        var records: [DatasetRecord] = []
        var after: String?
        while records.count < q.limit {
            var pagination: [String: Any] = ["page_size": min(q.limit - records.count, 100)]
            if let after { pagination["page_after_value"] = after }
            let body: [String: Any] = ["owner": "public", "query": query, "pagination": pagination, "required": ["include": Self.required]]
            let json = try await http.postJSON(baseURL.appendingSegment("entries").appendingSegment("query"), body: body)
            let data = json["data"].array
            records += data.compactMap(record)
            guard !data.isEmpty, let next = json["pagination"]["next_page_after_value"].string, next != after else { break }
            after = next
        }
        return Array(records.prefix(q.limit))
    }

    public func record(id: String) async throws -> DatasetRecord {
        let url = baseURL.appendingSegment("entries").appendingSegment(id)
        return try requireRecord(try await http.getJSON(url)["data"], from: url, expected: "a NOMAD entry under 'data'", record)
    }

    /// NOMAD dataset DOIs (`10.17172/NOMAD/…`): the first entry of the dataset.
    public func resolve(doi: String) async throws -> DatasetRecord? {
        let body: [String: Any] = ["owner": "public", "query": ["datasets.doi": doi], "pagination": ["page_size": 1],
                                   "required": ["include": Self.required]]
        let json = try await http.postJSON(baseURL.appendingSegment("entries").appendingSegment("query"), body: body)
        return json["data"].array.first.flatMap(record)
    }

    /// Parses one entry of `/entries/query` (fields as `required` asked).
    public func record(_ e: JSON) -> DatasetRecord? {
        guard let id = e["entry_id"].string else { return nil }
        let method = e["results"]["method"]
        let sourceTerms = [method["method_name"].string, method["measurement"]["xrd"]["diffraction_method_name"].string].compactMap { $0 }
            + e["results"]["properties"]["spectroscopic"]["spectra"].array.compactMap { $0["type"].string }
        var seen = Set<String>()
        let techniques = sourceTerms.map { TechniqueMap.tag($0, table: Self.techniqueTable) }.filter { seen.insert($0.sourceTerm).inserted }
        let material = e["results"]["material"]
        let upload = e["upload_id"].string
        var files: [DatasetFile] = []
        if let upload, let mainfile = e["mainfile"].string {
            files.append(DatasetFile(name: mainfile, url: baseURL.appendingSegment("uploads").appendingSegment(upload)
                .appendingSegment("raw").appendingPathKeepingSlashes(mainfile)))
        }
        files.append(DatasetFile(name: "\(id)-raw.zip", url: baseURL.appendingSegment("entries").appendingSegment(id).appendingSegment("raw")))
        return DatasetRecord(
            id: "nomad:\(id)", source: name,
            title: e["entry_name"].string ?? material["chemical_formula_descriptive"].string ?? "NOMAD entry \(id)",
            doi: e["datasets"].array.compactMap { $0["doi"].string }.first,
            techniques: techniques, elements: material["elements"].strings,
            sample: material["chemical_formula_reduced"].string ?? material["chemical_formula_descriptive"].string,
            created: e["upload_create_time"].string, license: normaliseLicense(e["license"].string ?? "CC BY 4.0"),
            files: files, landingPage: upload.flatMap { URL(string: "https://nomad-lab.eu/prod/v1/gui/entry/id/\($0)/\(id)") },
            access: .api)
    }
}
