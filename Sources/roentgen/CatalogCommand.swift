import ArgumentParser
import Catalog
import Foundation
import XrayCore

/// `roentgen catalog`: maintain the curated catalog.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Validate and render the curated catalog of sources.",
        subcommands: [Lint.self, Render.self]
    )

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate every record; exit non-zero naming each bad file and field.",
            discussion: "Checks required fields, URL syntax, unique ids, known PaNET terms, a licence with a redistribution statement and a persistent-identifier policy.")

        @OptionGroup var catalog: SourcesCommand.CatalogOptions

        func run() throws {
            let files = try catalog.files()
            let issues = CatalogLint.lint(files)
            if issues.isEmpty {
                print("\(files.files.count) records in \(files.origin): all valid.")
                return
            }
            for issue in issues { Output.note(issue.description) }
            let badFiles = Set(issues.map(\.file)).count
            Output.note("\(issues.count) problem\(issues.count == 1 ? "" : "s") in \(badFiles) of \(files.files.count) records.")
            throw ExitCode(1)
        }
    }

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render the catalog as the human list (Markdown).")

        @Flag(help: "Markdown list with one section per kind of source (the default).")
        var markdown = false

        @Flag(help: "A compact Markdown table (id, source, kind, techniques, API), as in the README.")
        var table = false

        @OptionGroup var catalog: SourcesCommand.CatalogOptions

        func run() throws {
            let records = try CatalogLoader.load(try catalog.files())
            print(table ? CatalogRenderer.table(records) : CatalogRenderer.markdown(records))
        }
    }
}
