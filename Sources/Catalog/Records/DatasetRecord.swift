import Foundation

/// One dataset as any source describes it, normalised: the single result model of
/// `roentgen search` and the input of `roentgen fetch`.
public struct DatasetRecord: Sendable, Codable, Hashable, Identifiable {
    /// `source:native-id`, e.g. `zenodo:7085903`, `nomad:--SZVYOxA2jTu_L-mSxefSQFmeyF`.
    public var id: String
    /// Connector name (`zenodo`, `datacite`, `panosc`, …).
    public var source: String
    public var title: String
    /// DOI without resolver prefix, lower-case (`10.5281/zenodo.7085903`).
    public var doi: String?
    /// Techniques, mapped to PaNET where the source's own term has a mapping.
    public var techniques: [TechniqueTag]
    /// Element symbols (`["Ti", "O"]`).
    public var elements: [String]
    /// Sample name or chemical formula, as the source gives it.
    public var sample: String?
    public var facility: String?
    public var instrument: String?
    /// Creation or collection date (ISO 8601 text as the source gives it).
    public var created: String?
    /// Publication or release date (ISO 8601 text).
    public var published: String?
    /// Licence, SPDX-like where recognisable (`CC-BY-4.0`); nil = the source gave none.
    public var license: String?
    /// Files, where the search answer lists them; `files(of:)` fills them in otherwise.
    public var files: [DatasetFile]
    /// Human landing page.
    public var landingPage: URL?
    /// Short description (plain text, possibly truncated).
    public var summary: String?
    /// How the data can be reached.
    public var access: Access
    /// Relevance the source gave (0…1 where known), used in ranking.
    public var score: Double?

    /// Whether the data is reachable by API or only by hand.
    public enum Access: String, Sendable, Codable, Hashable {
        /// Metadata and (where listed) files through the source's API.
        case api
        /// Catalogue entry only: files are not served over plain HTTP by this source.
        case catalogueOnly
        /// The source has no API: the record points to its web page.
        case noAPI
        /// Files exist but are not open (restricted, embargoed or closed access).
        case restricted
    }

    public init(id: String, source: String, title: String, doi: String? = nil, techniques: [TechniqueTag] = [],
                elements: [String] = [], sample: String? = nil, facility: String? = nil, instrument: String? = nil,
                created: String? = nil, published: String? = nil, license: String? = nil, files: [DatasetFile] = [],
                landingPage: URL? = nil, summary: String? = nil, access: Access = .api, score: Double? = nil) {
        self.id = id
        self.source = source
        self.title = title
        self.doi = doi.flatMap(DOI.normalise)
        self.techniques = techniques
        self.elements = elements
        self.sample = sample
        self.facility = facility
        self.instrument = instrument
        self.created = created
        self.published = published
        self.license = license
        self.files = files
        self.landingPage = landingPage
        self.summary = summary
        self.access = access
        self.score = score
    }

    /// The native identifier (the part after `source:`).
    public var nativeID: String {
        guard let colon = id.firstIndex(of: ":") else { return id }
        return String(id[id.index(after: colon)...])
    }
}

/// A technique as a source names it, with its PaNET term where one is mapped.
public struct TechniqueTag: Sendable, Codable, Hashable {
    /// PaNET id, e.g. `PaNET01196`; nil where the source's term has no mapping.
    public var panetID: String?
    /// PaNET label where mapped, else the source's own term.
    public var label: String
    /// The term exactly as the source gave it.
    public var sourceTerm: String

    public init(panetID: String?, label: String, sourceTerm: String) {
        self.panetID = panetID
        self.label = label
        self.sourceTerm = sourceTerm
    }
}

/// One file of a dataset.
public struct DatasetFile: Sendable, Codable, Hashable {
    /// File name or relative path within the dataset (the repository's key).
    public var name: String
    /// Size in bytes, if the source gives it.
    public var size: Int64?
    /// Checksum, if the source gives one.
    public var checksum: Checksum?
    /// Plain HTTP(S) download URL; nil when the file is reachable only through Globus or not at all.
    public var url: URL?
    /// Globus URI (`globus://endpoint/path`) where the source gives one.
    public var globus: String?

    public init(name: String, size: Int64? = nil, checksum: Checksum? = nil, url: URL? = nil, globus: String? = nil) {
        self.name = name
        self.size = size
        self.checksum = checksum
        self.url = url
        self.globus = globus
    }

    /// True when the only route to the bytes is Globus Transfer.
    public var isGlobusOnly: Bool { url == nil && globus != nil }
}

/// A published checksum of a file.
public struct Checksum: Sendable, Codable, Hashable, CustomStringConvertible {
    public enum Algorithm: String, Sendable, Codable, Hashable { case md5, sha256, sha512 }
    public var algorithm: Algorithm
    /// Lower-case hex.
    public var hex: String

    public init(_ algorithm: Algorithm, _ hex: String) {
        self.algorithm = algorithm
        self.hex = hex.lowercased()
    }

    /// Parses `md5:abc…` (InvenioRDM) or a bare hex string whose length says the algorithm.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        if parts.count == 2, let algorithm = Algorithm(rawValue: parts[0].lowercased()) {
            self.init(algorithm, parts[1])
            return
        }
        switch text.count {
        case 32: self.init(.md5, text)
        case 64: self.init(.sha256, text)
        case 128: self.init(.sha512, text)
        default: return nil
        }
    }

    public var description: String { "\(algorithm.rawValue):\(hex)" }
}

/// DOI helpers.
public enum DOI {
    /// Strips `doi:` / `https://doi.org/` prefixes and lower-cases; nil when the text is not a DOI.
    public static func normalise(_ text: String) -> String? {
        var t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"]
        where t.lowercased().hasPrefix(prefix) {
            t = String(t.dropFirst(prefix.count))
        }
        guard t.hasPrefix("10."), t.contains("/") else { return nil }
        return t.lowercased()
    }
}
