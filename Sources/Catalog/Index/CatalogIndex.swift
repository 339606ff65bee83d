import Foundation
import GRDB
import XrayCore

/// A ranked hit of a catalog search.
public struct SourceHit: Sendable {
    public var record: SourceRecord
    /// bm25 relevance (larger is better); 0 when listing without a query.
    public var score: Double
}

/// The offline search index: catalog records (and harvested dataset records) in SQLite with
/// FTS5 full-text search ranked by bm25.
///
/// The index lives in the user's cache directory (`$XDG_CACHE_HOME/roentgen`, else
/// `~/.cache/roentgen`) and is rebuilt whenever the catalog's fingerprint changes. A corrupt
/// cache file is deleted and rebuilt; a read-only or missing cache directory falls back to an
/// in-memory database. Neither is an error.
public final class CatalogIndex: @unchecked Sendable {
    /// The database, for connectors that store harvested records alongside the catalog.
    public let database: DatabaseQueue
    /// Where the index lives, or nil when it is in memory.
    public let path: String?
    /// Whether this open rebuilt the catalog tables.
    public private(set) var rebuilt = false
    private let vocabulary: PaNET
    private static let schemaVersion = "1"

    /// Opens (or builds) the index for `files` in `cacheDirectory` (default: the user's cache).
    /// Never throws for cache problems; throws only if the catalog itself cannot be loaded.
    public init(files: CatalogFiles, cacheDirectory: URL? = CatalogIndex.defaultCacheDirectory(),
                vocabulary: PaNET = .shared) throws {
        self.vocabulary = vocabulary
        let records = try CatalogLoader.load(files)
        let fingerprint = files.fingerprint + "/schema" + CatalogIndex.schemaVersion
        if let directory = cacheDirectory,
           let (queue, rebuilt) = CatalogIndex.openOnDisk(directory: directory, records: records,
                                                          fingerprint: fingerprint, vocabulary: vocabulary) {
            database = queue
            path = queue.path
            self.rebuilt = rebuilt
        } else {
            // Read-only or missing cache: build in memory.
            let queue = try DatabaseQueue()
            try CatalogIndex.build(queue, records: records, fingerprint: fingerprint, vocabulary: vocabulary)
            database = queue
            path = nil
            rebuilt = true
        }
    }

    /// `$XDG_CACHE_HOME/roentgen`, else `~/.cache/roentgen`.
    public static func defaultCacheDirectory() -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("roentgen")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/roentgen")
    }

    /// The index file name inside the cache directory.
    public static let fileName = "index.sqlite"

    // MARK: - Opening

    private static func openOnDisk(directory: URL, records: [SourceRecord], fingerprint: String,
                                   vocabulary: PaNET) -> (DatabaseQueue, Bool)? {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            return nil
        }
        let file = directory.appendingPathComponent(fileName).path
        for attempt in 0..<2 {
            do {
                var configuration = Configuration()
                configuration.busyMode = .timeout(5)
                configuration.prepareDatabase { db in
                    // Memory-mapped reads and a 32 MiB page cache: full-text queries over a large
                    // harvest read long posting lists (about 25 % faster at 1,000,000 records).
                    try db.execute(sql: "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768")
                }
                let queue = try DatabaseQueue(path: file, configuration: configuration)
                let stored = try queue.read { db -> String? in
                    guard try db.tableExists("meta") else { return nil }
                    return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'fingerprint'")
                }
                if stored == fingerprint {
                    // Check the tables really answer (a damaged page shows up here).
                    _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sources_fts WHERE sources_fts MATCH 'x'") }
                    if try !queue.read(DatasetIndex.isCurrent) { try queue.write(DatasetIndex.migrate) }
                    return (queue, false)
                }
                try build(queue, records: records, fingerprint: fingerprint, vocabulary: vocabulary)
                return (queue, true)
            } catch {
                // Corrupt or foreign file: remove it (and its journal) and try once more.
                guard attempt == 0 else { return nil }
                for suffix in ["", "-wal", "-shm", "-journal"] { try? manager.removeItem(atPath: file + suffix) }
            }
        }
        return nil
    }

    // MARK: - Building

    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS sources (id TEXT PRIMARY KEY, kind TEXT NOT NULL, section TEXT NOT NULL,
                name TEXT NOT NULL, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS source_techniques (source_id TEXT NOT NULL, panet_id TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS source_techniques_panet ON source_techniques(panet_id);
            CREATE VIRTUAL TABLE IF NOT EXISTS sources_fts USING fts5(
                id UNINDEXED, name, description, techniques, other,
                tokenize = 'porter unicode61 remove_diacritics 2');
            """)
        try DatasetIndex.migrate(db)
    }

    static func build(_ queue: DatabaseQueue, records: [SourceRecord], fingerprint: String, vocabulary: PaNET) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try queue.write { db in
            try createSchema(db)
            try db.execute(sql: "DELETE FROM sources; DELETE FROM source_techniques; DELETE FROM sources_fts;")
            for record in records {
                let json = String(decoding: try encoder.encode(record), as: UTF8.self)
                try db.execute(sql: "INSERT INTO sources (id, kind, section, name, json) VALUES (?, ?, ?, ?, ?)",
                               arguments: [record.id, record.kind.rawValue, record.section.rawValue, record.name, json])
                var techniqueIDs: Set<String> = []
                for technique in record.techniques {
                    if let term = vocabulary.term(named: technique) { techniqueIDs.insert(term.id) }
                }
                for id in techniqueIDs.sorted() {
                    try db.execute(sql: "INSERT INTO source_techniques (source_id, panet_id) VALUES (?, ?)",
                                   arguments: [record.id, id])
                }
                try db.execute(sql: "INSERT INTO sources_fts (id, name, description, techniques, other) VALUES (?, ?, ?, ?, ?)",
                               arguments: [record.id, record.name, record.description,
                                           techniqueText(techniqueIDs, vocabulary: vocabulary),
                                           otherText(record)])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('fingerprint', ?)", arguments: [fingerprint])
        }
    }

    /// Labels and alternative labels of the record's techniques and all their ancestors, so a
    /// free-text "XAS" finds a record that lists only EXAFS.
    static func techniqueText(_ ids: Set<String>, vocabulary: PaNET) -> String {
        var all: Set<String> = []
        for id in ids { all.formUnion(vocabulary.ancestors(of: id)) }
        return all.sorted().compactMap { id -> String? in
            guard let term = vocabulary.terms[id] else { return nil }
            return ([term.label] + term.altLabels).joined(separator: " ")
        }.joined(separator: " ; ")
    }

    static func otherText(_ record: SourceRecord) -> String {
        var parts = [record.id, record.kind.rawValue, record.facility ?? "", record.operator ?? "", record.size ?? ""]
        parts += record.elements ?? []
        parts += (record.elements ?? []).compactMap { Element.named($0)?.name }
        parts += record.edges ?? []
        parts += record.formats
        parts += record.identifiers.dois ?? []
        parts.append(record.api.kind)
        return parts.joined(separator: " ")
    }

    // MARK: - Queries

    /// Ranked full-text search over the catalog. With no query words, every matching record
    /// in section and name order. `technique` matches the term and all its PaNET descendants.
    public func search(_ query: String?, technique: String? = nil, kind: SourceRecord.Kind? = nil,
                       limit: Int = 100) throws -> [SourceHit] {
        var techniqueIDs: Set<String>?
        if let technique {
            guard let term = vocabulary.term(named: technique) else {
                throw RoentgenError.badParameter("unknown technique '\(technique)': use a PaNET label, alternative label or id (e.g. XAS, EXAFS, XRD, \"x-ray powder diffraction\", PaNET01196)")
            }
            techniqueIDs = vocabulary.descendants(of: term.id)
        }
        let words = FullTextQuery.words(query ?? "")
        return try database.read { db in
            var filters: [String] = []
            var arguments: [DatabaseValueConvertible] = []
            if let kind {
                filters.append("s.kind = ?")
                arguments.append(kind.rawValue)
            }
            if let techniqueIDs {
                let marks = Array(repeating: "?", count: techniqueIDs.count).joined(separator: ",")
                filters.append("s.id IN (SELECT source_id FROM source_techniques WHERE panet_id IN (\(marks)))")
                arguments += techniqueIDs.sorted() as [DatabaseValueConvertible]
            }
            let filterSQL = filters.isEmpty ? "" : " AND " + filters.joined(separator: " AND ")
            let rows: [Row]
            if words.isEmpty {
                rows = try Row.fetchAll(db, sql: "SELECT s.json, 0.0 AS score FROM sources s WHERE 1\(filterSQL) ORDER BY s.section, s.name LIMIT ?",
                                        arguments: StatementArguments(arguments + [limit]))
            } else {
                // All words first; if nothing has them all, any word.
                var found: [Row] = []
                for all in [true, false] where found.isEmpty {
                    let sql = """
                        SELECT s.json, -bm25(sources_fts, 0.0, 10.0, 2.0, 3.0, 1.0) AS score
                        FROM sources_fts JOIN sources s ON s.id = sources_fts.id
                        WHERE sources_fts MATCH ?\(filterSQL)
                        ORDER BY score DESC, s.name LIMIT ?
                        """
                    found = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(
                        [FullTextQuery.match(words, all: all)] + arguments + [limit]))
                    if words.count == 1 { break }
                }
                rows = found
            }
            let decoder = JSONDecoder()
            let hits = try rows.map { row in
                let json: String = row["json"]
                return SourceHit(record: try decoder.decode(SourceRecord.self, from: Data(json.utf8)), score: row["score"])
            }
            guard words.isEmpty else { return hits }
            return rankWithoutQuery(hits, techniqueIDs: techniqueIDs)
        }
    }

    /// Order for listings without query words: with a technique filter, the most specific
    /// sources first (score = share of a record's techniques inside the filter, so an XAS
    /// reference library comes before a multi-technique facility); then the section order of
    /// the human list, then the name.
    private func rankWithoutQuery(_ hits: [SourceHit], techniqueIDs: Set<String>?) -> [SourceHit] {
        let sectionOrder = Dictionary(uniqueKeysWithValues: SourceRecord.Section.allCases.enumerated().map { ($1, $0) })
        let scored = hits.map { hit -> SourceHit in
            guard let techniqueIDs, !hit.record.techniques.isEmpty else { return hit }
            let inside = hit.record.techniques.filter { name in
                vocabulary.term(named: name).map { techniqueIDs.contains($0.id) } ?? false
            }.count
            return SourceHit(record: hit.record, score: Double(inside) / Double(hit.record.techniques.count))
        }
        return scored.sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            let sa = sectionOrder[a.record.section] ?? 0, sb = sectionOrder[b.record.section] ?? 0
            if sa != sb { return sa < sb }
            return a.record.name.lowercased() < b.record.name.lowercased()
        }
    }

    /// The record with this id, or nil.
    public func record(id: String) throws -> SourceRecord? {
        try database.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT json FROM sources WHERE id = ?", arguments: [id]) else { return nil }
            return try JSONDecoder().decode(SourceRecord.self, from: Data(json.utf8))
        }
    }

    /// Every record that names `id` in its relations, with the relation type.
    public func incomingRelations(to id: String) throws -> [(type: String, source: SourceRecord)] {
        try search(nil, limit: 10_000).compactMap { hit in
            guard let relation = hit.record.relations?.first(where: { $0.target == id }) else { return nil }
            return (relation.type, hit.record)
        }
    }
}
