import Foundation
import XrayCore

/// What a user asks every source: free text, optionally narrowed by a technique and an element.
public struct SearchQuery: Sendable, Hashable {
    /// Free text (title, keywords, sample …).
    public var text: String
    /// Technique filter, resolved to a PaNET term (deep: narrower terms match too).
    public var technique: TechniqueMap.Term?
    /// Element symbol (`"As"`).
    public var element: String?
    /// Most results wanted from each source.
    public var limit: Int

    public init(text: String, technique: TechniqueMap.Term? = nil, element: String? = nil, limit: Int = 20) {
        self.text = text
        self.technique = technique
        self.element = element
        self.limit = max(1, limit)
    }

    /// Free text plus technique keywords and element, for sources with keyword search only
    /// (Elasticsearch query-string syntax: `(XAS OR XANES) AND As AND calcite`).
    public var keywordQuery: String {
        var parts: [String] = []
        if let technique {
            let words = technique.keywords.map { $0.contains(" ") ? "\"\($0)\"" : $0 }
            parts.append(words.count == 1 ? words[0] : "(" + words.joined(separator: " OR ") + ")")
        }
        if let element { parts.append(element) }
        let text = self.text.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty && text != element { parts.append(parts.isEmpty ? text : "(\(text))") }
        return parts.joined(separator: " AND ")
    }
}

/// One portal API. Each source has its own file; every base URL is configurable.
public protocol Connector: Sendable {
    /// Short name used in ids, `--source` and `--endpoint` (`zenodo`, `nomad`, …).
    var name: String { get }
    /// API base URL.
    var baseURL: URL { get }
    /// Searches the source; results are normalised `DatasetRecord`s.
    func search(_ query: SearchQuery) async throws -> [DatasetRecord]
    /// The files of a record (with sizes, checksums and download URLs where the source gives them).
    func files(of record: DatasetRecord) async throws -> [DatasetFile]
    /// The record for a DOI, if this source holds it; nil if not.
    func resolve(doi: String) async throws -> DatasetRecord?
    /// The record with this native id (the part after `source:`).
    func record(id: String) async throws -> DatasetRecord
}

public extension Connector {
    func record(id: String) async throws -> DatasetRecord {
        throw RoentgenError(.notFound, "\(name) cannot look records up by id; fetch by DOI or URL instead", url: baseURL.absoluteString)
    }
    func files(of record: DatasetRecord) async throws -> [DatasetFile] { record.files }
    func resolve(doi: String) async throws -> DatasetRecord? { nil }
}

/// Parses a single-record answer, or throws an error naming the URL and what was expected.
func requireRecord(_ json: JSON, from url: URL, expected: String, _ parse: (JSON) -> DatasetRecord?) throws -> DatasetRecord {
    guard let record = parse(json) else { throw RoentgenError(.network, "expected \(expected)", url: url.absoluteString) }
    return record
}

/// Licence text → SPDX-like identifier where recognisable (`cc-by-4.0` → `CC-BY-4.0`,
/// `CC BY 4.0`, `https://creativecommons.org/licenses/by-nc-sa/4.0` → `CC-BY-NC-SA-4.0`);
/// other text is kept as given. `info:eu-repo` access statements are not licences: nil.
public func normaliseLicense(_ text: String?) -> String? {
    guard let raw = text?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
    let lower = raw.lowercased()
    if lower.hasPrefix("info:eu-repo") { return nil }
    if let range = lower.range(of: "creativecommons.org/licenses/") {
        let parts = lower[range.upperBound...].split(separator: "/")
        if parts.count >= 2 { return "CC-" + parts[0].uppercased() + "-" + parts[1] }
    }
    if lower.contains("creativecommons.org/publicdomain/zero") { return "CC0-1.0" }
    let compact = lower.replacingOccurrences(of: " ", with: "-")
    if compact.hasPrefix("cc-") || compact.hasPrefix("cc0") {
        return compact.split(separator: "-").map { part in
            part.first?.isNumber == true ? String(part) : part.uppercased()
        }.joined(separator: "-")
    }
    if ["mit", "apache-2.0", "gpl-3.0", "bsd-3-clause", "odc-by-1.0", "pddl-1.0"].contains(compact) {
        return compact == "mit" ? "MIT" : compact.uppercased().replacingOccurrences(of: "APACHE", with: "Apache")
    }
    return raw
}

/// Plain text from an HTML description: tags dropped, common entities decoded, whitespace folded, cut to `limit`.
func plainText(_ html: String?, limit: Int = 300) -> String? {
    guard var s = html, !s.isEmpty else { return nil }
    s = s.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
    for (entity, char) in [("&nbsp;", " "), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'")] {
        s = s.replacingOccurrences(of: entity, with: char)
    }
    s = s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    if s.isEmpty { return nil }
    return s.count > limit ? String(s.prefix(limit)) + "…" : s
}
