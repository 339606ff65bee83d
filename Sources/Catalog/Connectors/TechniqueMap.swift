import Foundation

/// The technique vocabulary of the connectors: PaNET terms (the full ontology in
/// `Vocabulary/PaNET.swift`) with the acronyms and keyword synonyms used on sources that have
/// only free-text search (Zenodo, DataCite, MDF, Materials Cloud).
///
/// A filter on a term matches the term and every PaNET descendant ("deep" search), computed
/// from the ontology rather than listed by hand.
public enum TechniqueMap {
    public struct Term: Sendable, Hashable, Codable {
        /// `PaNET01196`.
        public var id: String
        /// `x-ray absorption spectroscopy`.
        public var label: String
        /// Acronyms and synonyms (`XAS`).
        public var acronyms: [String]
        /// Ids of narrower terms that count as matches (all PaNET descendants).
        public var narrower: [String]

        /// The full IRI, `http://purl.org/pan-science/PaNET/PaNET01196`.
        public var iri: String { "http://purl.org/pan-science/PaNET/" + id }
        /// Words for keyword search: acronyms first, then the label.
        public var keywords: [String] { acronyms + [label] }
        /// Whether a record tagged `panetID` matches this term (itself or narrower).
        public func matches(_ panetID: String?) -> Bool {
            guard let panetID else { return false }
            return panetID == id || narrower.contains(panetID)
        }
    }

    /// The X-ray terms offered in messages and used for keyword mapping.
    static let commonIDs = ["PaNET01227", "PaNET01196", "PaNET01197", "PaNET01198", "PaNET01199", "PaNET01200",
                            "PaNET01095", "PaNET01204", "PaNET01216", "PaNET01030", "PaNET01101", "PaNET01102",
                            "PaNET01168", "PaNET01161", "PaNET01160", "PaNET01149", "PaNET01188", "PaNET01181",
                            "PaNET01190"]

    /// Extra acronyms field users type that PaNET does not list.
    static let extraAcronyms: [String: [String]] = [
        "PaNET01101": ["PXRD"], "PaNET01102": ["SCXRD"], "PaNET01161": ["GIXRD"],
    ]

    /// The common X-ray terms, in a stable order.
    public static let terms: [Term] = commonIDs.compactMap { makeTerm($0) }

    /// A `Term` for a PaNET id, with its descendants as `narrower`.
    static func makeTerm(_ id: String) -> Term? {
        let panet = PaNET.shared
        guard let term = panet.terms[id] else { return nil }
        return Term(id: term.id, label: term.label, acronyms: term.altLabels + (extraAcronyms[id] ?? []),
                    narrower: panet.descendants(of: id).subtracting([id]).sorted())
    }

    /// Looks a term up by PaNET id or IRI, label, or acronym (case-insensitive); any PaNET term.
    public static func term(_ text: String) -> Term? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        if let id = extraAcronyms.first(where: { $0.value.contains { $0.lowercased() == lower } })?.key {
            return makeTerm(id)
        }
        let key = trimmed.hasPrefix("http") ? (trimmed.components(separatedBy: "/").last ?? trimmed) : trimmed
        guard let found = PaNET.shared.term(named: key) else { return nil }
        return makeTerm(found.id)
    }

    /// A tag for a source term: mapped through `table` (source term → PaNET id) or, failing that,
    /// through PaNET labels/acronyms; unmapped terms keep their own text and a nil id.
    public static func tag(_ sourceTerm: String, table: [String: String] = [:]) -> TechniqueTag {
        if let id = table[sourceTerm], let term = term(id) {
            return TechniqueTag(panetID: term.id, label: term.label, sourceTerm: sourceTerm)
        }
        if let term = term(sourceTerm) {
            return TechniqueTag(panetID: term.id, label: term.label, sourceTerm: sourceTerm)
        }
        return TechniqueTag(panetID: nil, label: sourceTerm, sourceTerm: sourceTerm)
    }

    /// Keyword vocabulary shared by free-text sources: a keyword (case-insensitive) → PaNET id.
    public static let keywordTable: [String: String] = [
        "xas": "PaNET01196", "x-ray absorption spectroscopy": "PaNET01196", "x-ray absorption": "PaNET01227",
        "xafs": "PaNET01197", "exafs": "PaNET01198", "xanes": "PaNET01199", "nexafs": "PaNET01199",
        "xes": "PaNET01200", "xps": "PaNET01204", "xrf": "PaNET01095",
        "xrd": "PaNET01216", "x-ray diffraction": "PaNET01216", "powder diffraction": "PaNET01030",
        "pxrd": "PaNET01101", "powder x-ray diffraction": "PaNET01101", "x-ray powder diffraction": "PaNET01101",
        "saxs": "PaNET01188", "pdf": "PaNET01181", "pair distribution function": "PaNET01181",
        "total scattering": "PaNET01190", "xrr": "PaNET01149",
    ]

    /// Technique tags for a list of free keywords (subjects); keywords with no mapping are skipped.
    public static func tags(forKeywords keywords: [String]) -> [TechniqueTag] {
        var seen = Set<String>()
        var tags: [TechniqueTag] = []
        for keyword in keywords {
            guard let id = keywordTable[keyword.lowercased().trimmingCharacters(in: .whitespaces)],
                  let term = term(id), seen.insert(term.id).inserted else { continue }
            tags.append(TechniqueTag(panetID: term.id, label: term.label, sourceTerm: keyword))
        }
        return tags
    }
}
