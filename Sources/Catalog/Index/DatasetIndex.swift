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
///
/// Two full-text tables: `datasets_fts` holds every searchable field; `datasets_head_fts` only
/// the short ones (title, techniques, elements, keywords). Search asks the short table first:
/// its posting lists are several times shorter, so a query over common words costs a fraction
/// of a full-text query, and records whose title or keywords match rank first anyway. Only
/// when the head table has fewer hits than asked for does the full table answer the rest.
enum DatasetIndex {
    /// Whether the dataset tables of an existing index are those this version writes.
    static func isCurrent(_ db: Database) throws -> Bool {
        try db.tableExists("datasets_head_fts") || !db.tableExists("datasets")
    }

    /// Brings the dataset tables of an index written by an older Roentgen up to date without
    /// losing what was harvested: the head table (added after the first release of the index)
    /// is created and filled from the full-text table, which holds the same fields.
    static func migrate(_ db: Database) throws {
        let hadHead = try db.tableExists("datasets_head_fts")
        let hadFullText = try db.tableExists("datasets_fts")
        try createSchema(db)
        if !hadHead && hadFullText {
            try db.execute(sql: """
                INSERT INTO datasets_head_fts (rowid, title, keys)
                SELECT rowid, title, techniques || ' ' || keywords FROM datasets_fts
                """)
        }
    }

    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS datasets (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                source TEXT NOT NULL, title TEXT NOT NULL, doi TEXT, json TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS datasets_doi ON datasets(doi);
            CREATE VIRTUAL TABLE IF NOT EXISTS datasets_fts USING fts5(
                title, description, techniques, keywords,
                tokenize = 'porter unicode61 remove_diacritics 2');
            """)
        try db.execute(sql: """
            CREATE VIRTUAL TABLE IF NOT EXISTS datasets_head_fts USING fts5(
                title, keys, tokenize = 'porter unicode61 remove_diacritics 2');
            """)
        // Column weights for `ORDER BY rank` (title counts most), stored in the FTS5 config.
        try db.execute(sql: "INSERT INTO datasets_fts(datasets_fts, rank) VALUES('rank', 'bm25(10.0, 2.0, 3.0, 1.0)')")
        try db.execute(sql: "INSERT INTO datasets_head_fts(datasets_head_fts, rank) VALUES('rank', 'bm25(10.0, 3.0)')")
    }
}

extension CatalogIndex {
    /// Inserts or replaces dataset records (matched by `id`), in one transaction.
    public func upsertDatasets<S: Sequence>(_ datasets: S) throws where S.Element == IndexedDataset {
        try database.write { db in
            let find = try db.makeStatement(sql: "SELECT rowid FROM datasets WHERE id = ?")
            let deleteFTS = try db.makeStatement(sql: "DELETE FROM datasets_fts WHERE rowid = ?")
            let deleteHead = try db.makeStatement(sql: "DELETE FROM datasets_head_fts WHERE rowid = ?")
            let insertHead = try db.makeStatement(sql: "INSERT INTO datasets_head_fts (rowid, title, keys) VALUES (?, ?, ?)")
            let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO datasets (rowid, id, source, title, doi, json) VALUES (?, ?, ?, ?, ?, ?)")
            let insertFTS = try db.makeStatement(sql: "INSERT INTO datasets_fts (rowid, title, description, techniques, keywords) VALUES (?, ?, ?, ?, ?)")
            for dataset in datasets {
                let existing = try Int64.fetchOne(find, arguments: [dataset.id])
                if let existing {
                    try deleteFTS.execute(arguments: [existing])
                    try deleteHead.execute(arguments: [existing])
                }
                try insert.execute(arguments: [existing, dataset.id, dataset.source, dataset.title, dataset.doi, dataset.json])
                let rowid = existing ?? db.lastInsertedRowID
                let keywords = (dataset.elements + dataset.keywords + [dataset.source, dataset.doi ?? ""]).joined(separator: " ")
                let techniques = dataset.techniques.joined(separator: " ")
                try insertFTS.execute(arguments: [rowid, dataset.title, dataset.description, techniques, keywords])
                try insertHead.execute(arguments: [rowid, dataset.title, techniques + " " + keywords])
            }
        }
    }

    /// Merges the full-text index into one segment. Worth it after a large harvest: queries
    /// then read one b-tree per term instead of one per segment.
    public func optimizeDatasetIndex() throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO datasets_fts(datasets_fts) VALUES('optimize')")
            try db.execute(sql: "INSERT INTO datasets_head_fts(datasets_head_fts) VALUES('optimize')")
        }
    }

    /// Number of dataset records in the index.
    public func datasetCount() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM datasets") ?? 0 }
    }

    /// Ranked full-text search over harvested dataset records (all words must match).
    ///
    /// Records whose title, techniques, elements or keywords hold every word come first (ranked
    /// by bm25 over those fields); records that match only through their description follow.
    /// `score` is the bm25 relevance within its tier, plus 1000 for the first tier.
    public func searchDatasets(_ query: String, source: String? = nil, limit: Int = 20) throws -> [(dataset: IndexedDataset, score: Double)] {
        let words = FullTextQuery.words(query)
        guard !words.isEmpty, limit > 0 else { return [] }
        let match = FullTextQuery.match(words, all: true)
        return try database.read { db in
            var results = try tier(db, table: "datasets_head_fts", match: match, source: source, limit: limit, excluding: [])
                .map { ($0.dataset, $0.score + 1000) }
            if results.count < limit {
                let seen = Set(results.map(\.0.id))
                results += try tier(db, table: "datasets_fts", match: match, source: source,
                                    limit: limit, excluding: seen).prefix(limit - results.count).map { ($0.dataset, $0.score) }
            }
            return results
        }
    }

    private func tier(_ db: Database, table: String, match: String, source: String?, limit: Int,
                      excluding: Set<String>) throws -> [(dataset: IndexedDataset, score: Double)] {
        var sql = """
            SELECT d.id, d.source, d.title, d.doi, d.json, -f.rank AS score
            FROM \(table) f JOIN datasets d ON d.rowid = f.rowid
            WHERE \(table) MATCH ?
            """
        var arguments: [DatabaseValueConvertible] = [match]
        if let source {
            sql += " AND d.source = ?"
            arguments.append(source)
        }
        sql += " ORDER BY rank LIMIT ?"
        arguments.append(limit + excluding.count)
        let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        var hits: [(dataset: IndexedDataset, score: Double)] = []
        for row in rows {
            let id: String = row["id"]
            guard !excluding.contains(id) else { continue }
            // Description, techniques and keywords come from the full-text row on demand.
            let full = try Row.fetchOne(db, sql: "SELECT description, techniques, keywords FROM datasets_fts WHERE rowid = (SELECT rowid FROM datasets WHERE id = ?)", arguments: [id])
            let dataset = IndexedDataset(
                id: id, source: row["source"], title: row["title"], description: full?["description"] ?? "",
                doi: row["doi"], techniques: ((full?["techniques"] as String?) ?? "").split(separator: " ").map(String.init),
                keywords: ((full?["keywords"] as String?) ?? "").split(separator: " ").map(String.init), json: row["json"])
            hits.append((dataset, row["score"]))
        }
        return hits
    }
}
