import Foundation
import GRDB
import XrayCore

/// Where harvested records are kept so `roentgen search --offline` works on what was seen before.
public protocol DatasetRecordStore: Sendable {
    /// Inserts or replaces records by id.
    func upsert(_ records: [DatasetRecord]) throws
    /// Full-text search (title, DOI, techniques, elements, sample, summary), best first.
    func search(_ query: String, limit: Int) throws -> [DatasetRecord]
}

/// A GRDB/SQLite store: table `datasets` (id, source, doi, title, json, seen) and the FTS5
/// table `datasets_fts`. The database file is passed in; the lead points it at the shared
/// catalog index (`$XDG_CACHE_HOME/roentgen/…`).
public final class HarvestStore: DatasetRecordStore, @unchecked Sendable {
    private let queue: DatabaseQueue
    public let path: String

    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS datasets (
                        id TEXT PRIMARY KEY NOT NULL, source TEXT NOT NULL, doi TEXT, title TEXT NOT NULL,
                        json TEXT NOT NULL, seen TEXT NOT NULL);
                    CREATE INDEX IF NOT EXISTS datasets_doi ON datasets(doi);
                    CREATE VIRTUAL TABLE IF NOT EXISTS datasets_fts USING fts5(
                        id UNINDEXED, title, doi, techniques, elements, sample, summary, tokenize = 'unicode61');
                    """)
            }
        } catch let error as RoentgenError {
            throw error
        } catch {
            throw RoentgenError(.io, "cannot open the harvest index: \(error)", file: path)
        }
    }

    public func upsert(_ records: [DatasetRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let now = ISO8601DateFormatter().string(from: Date())
        do {
            try queue.write { db in
                for r in records {
                    let json = String(decoding: try encoder.encode(r), as: UTF8.self)
                    try db.execute(sql: "INSERT OR REPLACE INTO datasets (id, source, doi, title, json, seen) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [r.id, r.source, r.doi, r.title, json, now])
                    try db.execute(sql: "DELETE FROM datasets_fts WHERE id = ?", arguments: [r.id])
                    let techniques = r.techniques.flatMap { [$0.label, $0.sourceTerm] + (TechniqueMap.term($0.panetID ?? "")?.acronyms ?? []) }
                    try db.execute(sql: "INSERT INTO datasets_fts (id, title, doi, techniques, elements, sample, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   arguments: [r.id, r.title, r.doi ?? "", techniques.joined(separator: " "),
                                               r.elements.joined(separator: " "), r.sample ?? "", r.summary ?? ""])
                }
            }
        } catch {
            throw RoentgenError(.io, "cannot write the harvest index: \(error)", file: path)
        }
    }

    public func search(_ query: String, limit: Int) throws -> [DatasetRecord] {
        let match = Self.ftsQuery(query)
        do {
            return try queue.read { db in
                let rows: [String]
                if match.isEmpty {
                    rows = try String.fetchAll(db, sql: "SELECT json FROM datasets ORDER BY seen DESC LIMIT ?", arguments: [limit])
                } else {
                    rows = try String.fetchAll(db, sql: """
                        SELECT d.json FROM datasets_fts f JOIN datasets d ON d.id = f.id
                        WHERE datasets_fts MATCH ? ORDER BY bm25(datasets_fts) LIMIT ?
                        """, arguments: [match, limit])
                }
                return rows.compactMap { try? JSONDecoder().decode(DatasetRecord.self, from: Data($0.utf8)) }
            }
        } catch {
            throw RoentgenError(.io, "cannot read the harvest index: \(error)", file: path)
        }
    }

    /// Number of stored records.
    public func count() throws -> Int {
        try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM datasets") ?? 0 }
    }

    /// Words of `text` as quoted FTS5 terms joined by AND (so user punctuation cannot break the syntax).
    static func ftsQuery(_ text: String) -> String {
        text.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "." && $0 != "-" })
            .map { "\"" + $0.replacingOccurrences(of: "\"", with: "") + "\"" }
            .joined(separator: " AND ")
    }

    /// The default file: `$XDG_CACHE_HOME/roentgen/harvest.sqlite` (else `~/.cache/roentgen/…`).
    public static func defaultPath() -> String {
        DownloadCache.defaultRoot().appendingPathComponent("harvest.sqlite").path
    }
}
