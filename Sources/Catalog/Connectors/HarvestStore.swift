import Foundation
import XrayCore

/// Where harvested records are kept so `roentgen search --offline` works on what was seen before.
public protocol DatasetRecordStore: Sendable {
    /// Inserts or replaces records by id.
    func upsert(_ records: [DatasetRecord]) throws
    /// Full-text search (title, DOI, techniques, elements, sample, summary), best first.
    func search(_ query: String, limit: Int) throws -> [DatasetRecord]
}

/// Harvested `DatasetRecord`s in the same SQLite index as the catalog (`CatalogIndex`'s dataset
/// tables): each record is stored as JSON with its searchable fields indexed by FTS5.
public final class HarvestStore: DatasetRecordStore, @unchecked Sendable {
    /// The catalog index the records live in.
    public let index: CatalogIndex

    public init(index: CatalogIndex) {
        self.index = index
    }

    /// The index file, or "in memory" when the cache directory is not writable.
    public var path: String { index.path ?? "in memory" }

    public func upsert(_ records: [DatasetRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let rows = try records.map { record -> IndexedDataset in
            let techniques = record.techniques.flatMap { tag -> [String] in
                [tag.label, tag.sourceTerm] + (tag.panetID.flatMap { TechniqueMap.term($0)?.acronyms } ?? [])
            }
            let elementNames = record.elements.compactMap { Element.named($0)?.name }
            let keywords = [record.sample, record.facility, record.instrument].compactMap { $0 } + elementNames
            return IndexedDataset(id: record.id, source: record.source, title: record.title,
                                  description: record.summary ?? "", doi: record.doi, techniques: techniques,
                                  elements: record.elements, keywords: keywords,
                                  json: String(decoding: try encoder.encode(record), as: UTF8.self))
        }
        do {
            try index.upsertDatasets(rows)
        } catch {
            throw RoentgenError(.io, "cannot write the harvest index: \(error)", file: index.path)
        }
    }

    public func search(_ query: String, limit: Int) throws -> [DatasetRecord] {
        let decoder = JSONDecoder()
        do {
            return try index.searchDatasets(query, limit: limit).compactMap { hit in
                try? decoder.decode(DatasetRecord.self, from: Data(hit.dataset.json.utf8))
            }
        } catch {
            throw RoentgenError(.io, "cannot read the harvest index: \(error)", file: index.path)
        }
    }

    /// Number of stored records.
    public func count() throws -> Int {
        try index.datasetCount()
    }
}
