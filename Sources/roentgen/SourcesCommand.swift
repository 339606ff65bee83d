import ArgumentParser
import Catalog
import Foundation
import XrayCore

/// `roentgen sources`: search the curated catalog offline.
struct SourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "Search the curated catalog of open X-ray data sources (offline).",
        discussion: """
            Ranked full-text search (SQLite FTS5, bm25) over every catalog record. Techniques are \
            PaNET terms and match their descendants: --technique XAS also finds EXAFS and XANES sources.
            Examples:
              roentgen sources "arsenic minerals"
              roentgen sources --technique XAS
              roentgen sources show panosc
            """,
        subcommands: [Search.self, Show.self],
        defaultSubcommand: Search.self
    )

    /// Options shared by the sources and catalog verbs.
    struct CatalogOptions: ParsableArguments {
        @Option(name: .customLong("catalog"), help: ArgumentHelp("Read records from this directory instead of the embedded catalog.", valueName: "dir"))
        var directory: String?

        func files() throws -> CatalogFiles {
            if let directory { return try CatalogFiles.directory(URL(fileURLWithPath: directory)) }
            return .embedded
        }

        func openIndex() throws -> CatalogIndex {
            try CatalogIndex(files: try files())
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "search", abstract: "Ranked search over the catalog (the default).")

        @Argument(help: "Words to search for; none lists every record.")
        var query: [String] = []

        @Option(help: "Only sources with this PaNET technique or a narrower one (XAS, EXAFS, XRD, PaNET01196 …).")
        var technique: String?

        @Option(help: "Only sources of this kind (\(SourceRecord.Kind.allCases.map(\.rawValue).joined(separator: ", "))).")
        var kind: String?

        @Flag(help: "Print a JSON array of records (each with a 'score').")
        var json = false

        @OptionGroup var catalog: CatalogOptions

        func run() throws {
            var kindFilter: SourceRecord.Kind?
            if let kind {
                guard let parsed = SourceRecord.Kind(rawValue: kind) else {
                    throw ValidationError("unknown kind '\(kind)'; expected one of \(SourceRecord.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                kindFilter = parsed
            }
            let index = try catalog.openIndex()
            let text = query.joined(separator: " ")
            let hits = try index.search(text.isEmpty ? nil : text, technique: technique, kind: kindFilter)
            if json {
                try Output.printJSON(hits.map { ScoredRecord(record: $0.record, score: $0.score) })
                return
            }
            if hits.isEmpty {
                print("No sources match\(text.isEmpty ? "" : " '\(text)'").")
                return
            }
            var header = "\(hits.count) source\(hits.count == 1 ? "" : "s")"
            if let technique, let term = PaNET.shared.term(named: technique) {
                let narrower = PaNET.shared.descendants(of: term.id).count - 1
                header += " with \(term.label) (\(term.id)) or one of its \(narrower) narrower terms"
            }
            if !text.isEmpty { header += " matching '\(text)'" }
            print(header + ":")
            for (rank, hit) in hits.enumerated() {
                let record = hit.record
                let techniques = record.techniques.map { PaNET.shared.term(named: $0)?.altLabels.first ?? $0 }
                print("\(Output.pad(String(rank + 1), 3)) \(Output.pad(record.id, 24)) \(Output.pad(record.kind.rawValue, 17)) \(Output.clip(record.name, 60))")
                if !techniques.isEmpty {
                    print("    \(Output.pad("", 24)) \(Output.clip(techniques.joined(separator: ", "), 78))")
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One record in full, with its relations.")

        @Argument(help: "The record id (see `roentgen sources`).")
        var id: String

        @Flag(help: "Print the record as JSON.")
        var json = false

        @OptionGroup var catalog: CatalogOptions

        func run() throws {
            let index = try catalog.openIndex()
            guard let record = try index.record(id: id) else {
                let suggestions = try index.search(id, limit: 3).map(\.record.id)
                throw RoentgenError(.notFound, "no catalog record '\(id)'" +
                    (suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: ", "))?"))
            }
            let incoming = try index.incomingRelations(to: id)
            if json {
                try Output.printJSON(ShownRecord(record: record,
                                                 relatedFrom: incoming.map { .init(type: $0.type, source: $0.source.id) }))
                return
            }
            print(SourceRecordText.describe(record, incoming: incoming))
        }
    }
}

/// A record with its search score, as `--json` prints it.
struct ScoredRecord: Encodable {
    var record: SourceRecord
    var score: Double

    func encode(to encoder: Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(score, forKey: .score)
    }

    enum Key: String, CodingKey { case score }
}

/// A record with the relations other records point at it, as `sources show --json` prints it.
struct ShownRecord: Encodable {
    struct Incoming: Encodable { var type: String; var source: String }
    var record: SourceRecord
    var relatedFrom: [Incoming]

    func encode(to encoder: Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(relatedFrom, forKey: .relatedFrom)
    }

    enum Key: String, CodingKey { case relatedFrom = "related_from" }
}
