import Foundation

/// One curated source of open X-ray data: a portal, facility, reference library, collection,
/// dataset or repository. One YAML file per record under `catalog/`.
public struct SourceRecord: Codable, Sendable, Hashable, Identifiable {
    /// What kind of source a record describes.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case portal, facility, referenceLibrary = "reference-library", collection, dataset, repository
    }

    /// The section of the human list a record appears in (`roentgen catalog render`).
    public enum Section: String, Codable, Sendable, CaseIterable {
        case synchrotronPortals = "synchrotron-portals"
        case facilities
        case xasReferenceLibraries = "xas-reference-libraries"
        case synchrotronDiffraction = "synchrotron-diffraction"
        case diffractionTotalScattering = "diffraction-total-scattering"
        case combinedXasXrd = "combined-xas-xrd"
        case benchtop
        case repositories

        /// The heading used in the rendered list.
        public var title: String {
            switch self {
            case .synchrotronPortals: "Synchrotron data (multi-facility portals)"
            case .facilities: "Major photon and neutron facilities"
            case .xasReferenceLibraries: "Synchrotron XAS (reference spectrum libraries)"
            case .synchrotronDiffraction: "Synchrotron diffraction datasets"
            case .diffractionTotalScattering: "Diffraction and total scattering references"
            case .combinedXasXrd: "Combined XAS + XRD datasets (same specimens)"
            case .benchtop: "Benchtop (lab) X-ray datasets"
            case .repositories: "Generic repositories and DOI services"
            }
        }
    }

    /// How a program reaches the source's data.
    public struct API: Codable, Sendable, Hashable {
        /// Connector kind (`panosc-search`, `zenodo`, `nomad`, `globus-search`, `invenio-rdm`,
        /// `scicat`, `icat-plus`, `datacite`, `html`, `rest`, `nims-mdr`) or `none`.
        public var kind: String
        public var baseURL: String?
        public var docs: String?
        /// A record id at the API, for single-record sources (Zenodo record of opXRD).
        public var record: String?
        public var note: String?

        enum CodingKeys: String, CodingKey { case kind, baseURL = "base_url", docs, record, note }
    }

    /// Persistent identifiers: the policy and the DOIs / DOI prefixes known.
    public struct Identifiers: Codable, Sendable, Hashable {
        public var policy: String
        public var dois: [String]?
        public var doiPrefixes: [String]?

        enum CodingKeys: String, CodingKey { case policy, dois, doiPrefixes = "doi_prefixes" }
    }

    /// The licence of the data and whether it may be redistributed.
    public struct License: Codable, Sendable, Hashable {
        /// Allowed values of `redistribution`.
        public static let redistributionValues = ["yes", "no", "per-dataset", "unknown"]
        public var name: String
        /// SPDX identifier where one applies.
        public var spdx: String?
        /// `yes`, `no`, `per-dataset` or `unknown`.
        public var redistribution: String
    }

    /// A typed link to another record (`federates` → `esrf`).
    public struct Relation: Codable, Sendable, Hashable {
        public var type: String
        public var target: String
    }

    public var id: String
    public var name: String
    public var kind: Kind
    public var section: Section
    public var description: String
    public var homepage: String
    /// PaNET terms (labels, alternative labels or ids).
    public var techniques: [String]
    /// Catalog id of the facility that produced the data, if any.
    public var facility: String?
    public var `operator`: String?
    /// Absorbing or principal elements, for element-specific datasets.
    public var elements: [String]?
    /// Absorption edges, e.g. `As K`.
    public var edges: [String]?
    public var api: API
    public var identifiers: Identifiers
    public var license: License
    /// `anonymous-http`, `globus`, `login` or `none`.
    public var access: [String]
    public var formats: [String]
    public var size: String?
    public var relations: [Relation]?
    /// Date (YYYY-MM-DD) the facts were last checked.
    public var lastVerified: String
    /// How they were checked.
    public var verifiedBy: String?
    /// For sources of reference spectra or structures: how to turn them into a Roentgen reference
    /// library (`roentgen fetch …`, `roentgen xas library …`, `roentgen xrd library …`).
    public var libraryRecipe: String?

    enum CodingKeys: String, CodingKey {
        case id, name, kind, section, description, homepage, techniques, facility, `operator`, elements, edges
        case api, identifiers, license, access, formats, size, relations
        case lastVerified = "last_verified", verifiedBy = "verified_by", libraryRecipe = "library_recipe"
    }

    /// Every field a record may have (lint rejects others, to catch typos).
    public static let allowedFields: Set<String> = [
        "id", "name", "kind", "section", "description", "homepage", "techniques", "facility", "operator",
        "elements", "edges", "api", "identifiers", "license", "access", "formats", "size", "relations",
        "last_verified", "verified_by", "library_recipe",
    ]
    /// Fields every record must have.
    public static let requiredFields: [String] = [
        "id", "name", "kind", "section", "description", "homepage", "techniques", "api", "identifiers",
        "license", "access", "formats", "last_verified",
    ]
    /// Allowed `access` values.
    public static let accessValues: Set<String> = ["anonymous-http", "globus", "login", "none"]
}
