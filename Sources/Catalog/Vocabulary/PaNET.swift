import Foundation

/// The PaNET technique ontology (Photon and Neutron Experimental Techniques, CC-BY-4.0),
/// with descendant ("deep") matching: searching for XAS also finds EXAFS and XANES.
///
/// The terms come from `PaNETTable.swift`, generated from PaNET.csv by
/// `Scripts/generate_panet_table.py`.
public struct PaNET: Sendable {
    /// One technique term.
    public struct Term: Sendable, Hashable, Codable {
        /// Short id, e.g. `"PaNET01196"`.
        public let id: String
        /// Preferred label, e.g. `"x-ray absorption spectroscopy"`.
        public let label: String
        /// Alternative labels, e.g. `["XAS"]`.
        public let altLabels: [String]
        /// Ids of the direct parents (sub-class and intersection parents).
        public let parents: [String]

        /// The full IRI, `http://purl.org/pan-science/PaNET/PaNET01196`.
        public var iri: String { "http://purl.org/pan-science/PaNET/" + id }
    }

    /// Links PaNET leaves out that X-ray users rely on, added by Roentgen (child → parent).
    /// In PaNET, x-ray powder diffraction is a child of "powder diffraction" and of "x-ray
    /// probe technique" but not of "x-ray diffraction"; a user filtering on XRD expects powder
    /// and grazing-incidence XRD too.
    public static let supplementaryParents: [String: [String]] = [
        "PaNET01101": ["PaNET01216"],  // x-ray powder diffraction ⊂ x-ray diffraction
        "PaNET01102": ["PaNET01216"],  // x-ray single crystal diffraction ⊂ x-ray diffraction
        "PaNET01161": ["PaNET01216"],  // grazing incidence x-ray diffraction ⊂ x-ray diffraction
        "PaNET01160": ["PaNET01216"],  // energy dispersive x-ray diffraction ⊂ x-ray diffraction
    ]

    /// Field words that are not PaNET labels, mapped to PaNET ids.
    public static let synonyms: [String: String] = [
        "powder xrd": "PaNET01101", "pxrd": "PaNET01101", "xrpd": "PaNET01101",
        "powder x-ray diffraction": "PaNET01101",
        "pdf": "PaNET01181", "total scattering": "PaNET01190", "pdf/total scattering": "PaNET01181",
        "hedm": "PaNET01216", "x-ray absorption": "PaNET01227",
        "xafs": "PaNET01197", "nexafs": "PaNET01199",
    ]

    /// Every term by id.
    public let terms: [String: Term]
    private let children: [String: [String]]
    private let byName: [String: String]

    /// The ontology as shipped with Roentgen.
    public static let shared = PaNET()

    public init() {
        var terms: [String: Term] = [:]
        var children: [String: [String]] = [:]
        var byName: [String: String] = [:]
        for (id, label, alts, parents) in PaNET.table {
            let allParents = parents + (PaNET.supplementaryParents[id] ?? [])
            terms[id] = Term(id: id, label: label, altLabels: alts, parents: allParents)
            for parent in allParents { children[parent, default: []].append(id) }
            byName[id.lowercased()] = id
            byName["http://purl.org/pan-science/panet/" + id.lowercased()] = id
            byName["panet:" + id.lowercased()] = id
            byName[label.lowercased()] = byName[label.lowercased()] ?? id
        }
        // Alternative labels only where they don't shadow a preferred label.
        for (id, _, alts, _) in PaNET.table {
            for alt in alts where byName[alt.lowercased()] == nil { byName[alt.lowercased()] = id }
        }
        for (word, id) in PaNET.synonyms where byName[word] == nil { byName[word] = id }
        self.terms = terms
        self.children = children
        self.byName = byName
    }

    /// The term named by an id (`PaNET01196`), IRI, label or alternative label (`XAS`),
    /// case-insensitively; nil if PaNET has no such term.
    public func term(named text: String) -> Term? {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let id = byName[key] else { return nil }
        return terms[id]
    }

    /// The term and all its descendants (ids), following every parent link.
    public func descendants(of id: String) -> Set<String> {
        var seen: Set<String> = [id]
        var stack = [id]
        while let next = stack.popLast() {
            for child in children[next] ?? [] where seen.insert(child).inserted {
                stack.append(child)
            }
        }
        return seen
    }

    /// The term and all its ancestors (ids).
    public func ancestors(of id: String) -> Set<String> {
        var seen: Set<String> = [id]
        var stack = [id]
        while let next = stack.popLast() {
            for parent in terms[next]?.parents ?? [] where seen.insert(parent).inserted {
                stack.append(parent)
            }
        }
        return seen
    }
}
