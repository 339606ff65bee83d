import Foundation
import GRDB

/// A dataset record as the offline index stores it: the searchable fields plus the full
/// record as JSON (the connectors' result model), so `roentgen search --offline` can answer
/// from what was harvested before.
public struct IndexedDataset: Sendable, Hashable {
    /// Unique within the index, e.g. `zenodo:14254270`.
    public var id: String
    /// Catalog id of the source that returned it (`zenodo`, `panosc` …).
    public var source: String
    public var title: String
    public var description: String
    public var doi: String?
    /// PaNET ids or labels.
    public var techniques: [String]
    /// Element symbols.
    public var elements: [String]
    /// Free keywords (sample, formula, instrument …).
    public var keywords: [String]
    /// The full record as JSON, opaque to the index.
    public var json: String

    public init(id: String, source: String, title: String, description: String = "", doi: String? = nil,
                techniques: [String] = [], elements: [String] = [], keywords: [String] = [], json: String = "{}") {
        self.id = id
        self.source = source
        self.title = title
        self.description = description
        self.doi = doi
        self.techniques = techniques
        self.elements = elements
        self.keywords = keywords
        self.json = json
    }
}

/// The dataset tables of the index (kept across catalog rebuilds).
enum DatasetIndex {
    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS datasets (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                source TEXT NOT NULL, title TEXT NOT NULL, doi TEXT, json TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS datasets_doi ON datasets(doi);
            CREATE VIRTUAL TABLE IF NOT EXISTS datasets_fts USING fts5(
                title, description, techniques, keywords,
                tokenize = 'porter unicode61 remove_diacritics 2');
            """)
        // Column weights for `ORDER BY rank` (title counts most), stored in the FTS5 config.
        try db.execute(sql: "INSERT INTO datasets_fts(datasets_fts, rank) VALUES('rank', 'bm25(10.0, 2.0, 3.0, 1.0)')")
    }
}

extension CatalogIndex {
    /// Inserts or replaces dataset records (matched by `id`), in one transaction.
    public func upsertDatasets<S: Sequence>(_ datasets: S) throws where S.Element == IndexedDataset {
        try database.write { db in
            let find = try db.makeStatement(sql: "SELECT rowid FROM datasets WHERE id = ?")
            let deleteFTS = try db.makeStatement(sql: "DELETE FROM datasets_fts WHERE rowid = ?")
            let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO datasets (rowid, id, source, title, doi, json) VALUES (?, ?, ?, ?, ?, ?)")
            let insertFTS = try db.makeStatement(sql: "INSERT INTO datasets_fts (rowid, title, description, techniques, keywords) VALUES (?, ?, ?, ?, ?)")
            for dataset in datasets {
                let existing = try Int64.fetchOne(find, arguments: [dataset.id])
                if let existing { try deleteFTS.execute(arguments: [existing]) }
                try insert.execute(arguments: [existing, dataset.id, dataset.source, dataset.title, dataset.doi, dataset.json])
                let rowid = existing ?? db.lastInsertedRowID
                let keywords = (dataset.elements + dataset.keywords + [dataset.source, dataset.doi ?? ""]).joined(separator: " ")
                try insertFTS.execute(arguments: [rowid, dataset.title, dataset.description,
                                                  dataset.techniques.joined(separator: " "), keywords])
            }
        }
    }

    /// Merges the full-text index into one segment. Worth it after a large harvest: queries
    /// then read one b-tree per term instead of one per segment.
    public func optimizeDatasetIndex() throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO datasets_fts(datasets_fts) VALUES('optimize')")
        }
    }

    /// Number of dataset records in the index.
    public func datasetCount() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM datasets") ?? 0 }
    }

    /// Ranked full-text search over harvested dataset records (all words must match).
    public func searchDatasets(_ query: String, source: String? = nil, limit: Int = 20) throws -> [(dataset: IndexedDataset, score: Double)] {
        let words = FullTextQuery.words(query)
        guard !words.isEmpty else { return [] }
        return try database.read { db in
            var sql = """
                SELECT d.id, d.source, d.title, d.doi, d.json, f.description, f.techniques, f.keywords,
                       -f.rank AS score
                FROM datasets_fts f JOIN datasets d ON d.rowid = f.rowid
                WHERE datasets_fts MATCH ?
                """
            var arguments: [DatabaseValueConvertible] = [FullTextQuery.match(words, all: true)]
            if let source {
                sql += " AND d.source = ?"
                arguments.append(source)
            }
            sql += " ORDER BY rank LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                let dataset = IndexedDataset(
                    id: row["id"], source: row["source"], title: row["title"], description: row["description"],
                    doi: row["doi"], techniques: (row["techniques"] as String).split(separator: " ").map(String.init),
                    keywords: (row["keywords"] as String).split(separator: " ").map(String.init), json: row["json"])
                return (dataset, row["score"])
            }
        }
    }
}
