import Foundation

/// The PaNET terms Roentgen's connectors map to, with the keyword synonyms used on
/// sources that have only free-text search (Zenodo, DataCite, MDF, Materials Cloud).
///
/// Ids and labels are copied from PaNET.csv (ExPaNDS-experimental-techniques-ontology,
/// CC-BY-4.0). `narrower` lists the terms below each one that the connectors can produce,
/// so a filter on a term also matches its descendants ("deep" search). The lead's
/// full PaNET vocabulary in Registry/ supersedes the descendant lists on merge.
public enum TechniqueMap {
    public struct Term: Sendable, Hashable, Codable {
        /// `PaNET01196`.
        public var id: String
        /// `x-ray absorption spectroscopy`.
        public var label: String
        /// Acronyms and synonyms (`XAS`).
        public var acronyms: [String]
        /// Ids of narrower terms that count as matches.
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

    /// The X-ray terms used by the connectors (labels exactly as in PaNET.csv).
    public static let terms: [Term] = [
        Term(id: "PaNET01227", label: "x-ray absorption", acronyms: [],
             narrower: ["PaNET01196", "PaNET01197", "PaNET01198", "PaNET01199", "PaNET01321"]),
        Term(id: "PaNET01196", label: "x-ray absorption spectroscopy", acronyms: ["XAS"],
             narrower: ["PaNET01197", "PaNET01198", "PaNET01199", "PaNET01321"]),
        Term(id: "PaNET01197", label: "x-ray absorption fine structure", acronyms: ["XAFS"],
             narrower: ["PaNET01198", "PaNET01199", "PaNET01321"]),
        Term(id: "PaNET01198", label: "extended x-ray absorption fine structure", acronyms: ["EXAFS"], narrower: ["PaNET01321"]),
        Term(id: "PaNET01199", label: "x-ray absorption near edge structure", acronyms: ["XANES", "NEXAFS"], narrower: []),
        Term(id: "PaNET01200", label: "x-ray emission spectroscopy", acronyms: ["XES"], narrower: []),
        Term(id: "PaNET01095", label: "x-ray fluorescence spectroscopy", acronyms: ["XRF"], narrower: []),
        Term(id: "PaNET01204", label: "x-ray photoelectron spectroscopy", acronyms: ["XPS"], narrower: ["PaNET01297", "PaNET01218"]),
        Term(id: "PaNET01216", label: "x-ray diffraction", acronyms: ["XRD"],
             narrower: ["PaNET01101", "PaNET01102", "PaNET01160", "PaNET01161", "PaNET01168", "PaNET01169"]),
        Term(id: "PaNET01030", label: "powder diffraction", acronyms: [], narrower: ["PaNET01101", "PaNET01100"]),
        Term(id: "PaNET01101", label: "x-ray powder diffraction", acronyms: ["XPD", "PXRD"], narrower: []),
        Term(id: "PaNET01102", label: "x-ray single crystal diffraction", acronyms: ["SCXRD", "SXRD"], narrower: ["PaNET01168", "PaNET01169"]),
        Term(id: "PaNET01168", label: "serial femtosecond crystallography", acronyms: ["SFX"], narrower: []),
        Term(id: "PaNET01161", label: "grazing incidence x-ray diffraction", acronyms: ["GIXD", "GIXRD"], narrower: []),
        Term(id: "PaNET01160", label: "energy dispersive x-ray diffraction", acronyms: ["EDXRD"], narrower: []),
        Term(id: "PaNET01149", label: "x-ray reflectivity", acronyms: ["XRR"], narrower: []),
        Term(id: "PaNET01188", label: "small angle x-ray scattering", acronyms: ["SAXS"], narrower: []),
        Term(id: "PaNET01181", label: "pair distribution function", acronyms: ["PDF"], narrower: []),
        Term(id: "PaNET01190", label: "total scattering", acronyms: [], narrower: ["PaNET01181"]),
    ]

    /// Looks a term up by PaNET id or IRI, label, or acronym (case-insensitive).
    public static func term(_ text: String) -> Term? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let id = t.components(separatedBy: "/").last ?? t
        let lower = t.lowercased()
        return terms.first { $0.id.lowercased() == id.lowercased() }
            ?? terms.first { $0.label == lower }
            ?? terms.first { $0.acronyms.contains { $0.lowercased() == lower } }
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
