import ArgumentParser
import Catalog
import Foundation
import RoentgenOperations
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
            if let kind, SourceRecord.Kind(rawValue: kind) == nil {
                throw RoentgenError.badParameter("--kind '\(kind)' is not a kind; expected one of \(SourceRecord.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let index = try catalog.openIndex()
            let text = query.joined(separator: " ")
            let hits = try CatalogOperations.searchCatalog(index, text: text, technique: technique, kind: kind)
            if json {
                try Output.printJSON(hits)
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
            let (shown, incoming) = try CatalogOperations.showRecord(index, id: id)
            let record = shown.record
            if json {
                try Output.printJSON(shown)
                return
            }
            print(SourceRecordText.describe(record, incoming: incoming))
        }
    }
}
