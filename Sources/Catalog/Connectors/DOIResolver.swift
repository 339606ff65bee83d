import Foundation
import XrayCore

/// DOI → the repository that serves its files, by DOI prefix (then by landing-page host).
///
/// DataCite knows every DOI but almost never the file URLs; each repository has its own
/// file API, so `roentgen fetch DOI` asks the repository's connector.
public enum DOIResolver {
    /// Where a DOI's files live.
    public enum Repository: String, Sendable, CaseIterable {
        case zenodo, materialscloud, nomad, mdf, esrf, frdr, scicat
    }

    /// Prefix rules (lower-case DOI prefix → repository), from ../shared/docs/portal-apis.md §2.1.
    public static let prefixes: [(prefix: String, repository: Repository)] = [
        ("10.5281/zenodo.", .zenodo),
        ("10.24435/materialscloud", .materialscloud),
        ("10.17172/nomad/", .nomad),
        ("10.18126/", .mdf),
        ("10.15151/esrf-", .esrf),
        ("10.20383/", .frdr),
        ("10.17199/", .scicat),
    ]

    /// The repository a DOI belongs to by its prefix; nil when unknown (then ask DataCite).
    public static func repository(ofDOI doi: String) -> Repository? {
        guard let normal = DOI.normalise(doi) else { return nil }
        return prefixes.first { normal.hasPrefix($0.prefix) }?.repository
    }

    /// The repository a landing page belongs to, and the record id in it where one can be read.
    public static func repository(ofLandingPage url: URL) -> (Repository, String?)? {
        if let id = Zenodo.recordID(ofLandingPage: url) { return (.zenodo, id) }
        if url.host?.contains("materialscloud.org") == true { return (.materialscloud, MaterialsCloud.recordID(ofLandingPage: url)) }
        if url.host?.contains("nomad-lab.eu") == true { return (.nomad, nil) }
        if url.host?.contains("frdr-dfdr.ca") == true { return (.frdr, nil) }
        return nil
    }
}
