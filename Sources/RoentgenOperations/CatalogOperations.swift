import Catalog
import Foundation
import XrayCore

/// The catalog and portal verbs' work: `roentgen sources [show]`, `roentgen search`, `roentgen fetch`.
public enum CatalogOperations {
    /// A record with its search score, as `sources --json` prints it.
    public struct ScoredRecord: Encodable, Sendable {
        public var record: SourceRecord
        public var score: Double
        public init(record: SourceRecord, score: Double) { self.record = record; self.score = score }

        public func encode(to encoder: Encoder) throws {
            try record.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(score, forKey: .score)
        }

        enum Key: String, CodingKey { case score }
    }

    /// A record with the relations other records point at it, as `sources show --json` prints it.
    public struct ShownRecord: Encodable, Sendable {
        public struct Incoming: Encodable, Sendable { public var type: String; public var source: String }
        public var record: SourceRecord
        public var relatedFrom: [Incoming]

        public func encode(to encoder: Encoder) throws {
            try record.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(relatedFrom, forKey: .relatedFrom)
        }

        enum Key: String, CodingKey { case relatedFrom = "related_from" }
    }

    /// `sources [QUERY] [--technique T] [--kind K]`: ranked catalog records.
    public static func searchCatalog(_ index: CatalogIndex, text: String, technique: String?, kind: String?) throws -> [ScoredRecord] {
        var kindFilter: SourceRecord.Kind?
        if let kind {
            guard let parsed = SourceRecord.Kind(rawValue: kind) else {
                throw RoentgenError.badParameter("unknown kind '\(kind)'; expected one of \(SourceRecord.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kindFilter = parsed
        }
        let hits = try index.search(text.isEmpty ? nil : text, technique: technique, kind: kindFilter)
        return hits.map { ScoredRecord(record: $0.record, score: $0.score) }
    }

    /// `sources show ID`: one record with its incoming relations; an unknown id is `notFound` with suggestions.
    public static func showRecord(_ index: CatalogIndex, id: String) throws -> (record: ShownRecord, incoming: [(type: String, source: SourceRecord)]) {
        guard let record = try index.record(id: id) else {
            let suggestions = try index.search(id, limit: 3).map(\.record.id)
            throw RoentgenError(.notFound, "no catalog record '\(id)'" +
                (suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: ", "))?"))
        }
        let incoming = try index.incomingRelations(to: id)
        return (ShownRecord(record: record, relatedFrom: incoming.map { .init(type: $0.type, source: $0.source.id) }),
                incoming.map { ($0.type, $0.source) })
    }

    /// The portals' connectors with the configured endpoints (config file, then `NAME=URL` overrides).
    public static func sourceSet(config: String?, endpoints: [String], timeout: Double) throws -> SourceSet {
        let file = config.map { URL(fileURLWithPath: $0) } ?? Endpoints.defaultConfigFile()
        let loaded = try Endpoints.load(configFile: file, overrides: endpoints)
        return SourceSet(endpoints: loaded, http: HTTPClient(timeout: timeout))
    }

    /// `search QUERY`: the portal search request.
    public struct PortalSearchRequest: OperationRequest {
        public var query: String = ""
        public var technique: String?
        public var element: String?
        public var sources: [String] = []
        public var limit = 20
        public var offline = false
        public init() {}
        public static var defaults: PortalSearchRequest { PortalSearchRequest() }
    }

    /// `search`: every source asked at once (or the local index with `offline`); results are
    /// remembered in the local index. The outcome lists each source's status.
    public static func searchPortals(_ r: PortalSearchRequest, sources: SourceSet, timeout: Double) async throws -> SearchOutcome {
        var technique: TechniqueMap.Term?
        if let name = r.technique {
            guard let term = TechniqueMap.term(name) else {
                throw RoentgenError.badParameter("unknown technique '\(name)'; try one of: "
                    + TechniqueMap.terms.map { $0.acronyms.first ?? $0.label }.joined(separator: ", "))
            }
            technique = term
        }
        if let element = r.element, Element.named(element) == nil {
            throw RoentgenError.badParameter("'\(element)' is not an element symbol")
        }
        let q = SearchQuery(text: r.query, technique: technique, element: r.element, limit: r.limit)
        let store = HarvestStore(index: try CatalogIndex(files: .embedded))
        if r.offline {
            let words = ([q.text, r.element ?? ""] + (technique.map { [$0.acronyms.first ?? $0.label] } ?? [])).joined(separator: " ")
            let found = try store.search(words, limit: r.limit)
            return SearchOutcome(records: found, reports: [
                SourceReport(source: "local index", status: .answered, count: found.count, seconds: 0, message: store.path)])
        }
        let federated = FederatedSearch(sources: sources, timeout: timeout)
        let outcome = await federated.search(q, only: r.sources.isEmpty ? nil : r.sources)
        try? store.upsert(outcome.records.filter { $0.access != .noAPI })
        return outcome
    }
}
