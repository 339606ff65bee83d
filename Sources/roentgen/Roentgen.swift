import ArgumentParser
import Foundation
import XrayCore

/// `roentgen`: find, fetch, read and analyse open experimental X-ray data.
@main
struct Roentgen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roentgen",
        abstract: "Find, fetch, read and analyse open experimental X-ray data (XAS and diffraction).",
        version: "0.1.0",
        subcommands: [
            SourcesCommand.self, CatalogCommand.self,
            SearchCommand.self, FetchCommand.self, CacheCommand.self,
            ReadCommand.self, ConvertCommand.self, FormatsCommand.self,
            XASCommand.self, XRD.self, PDF.self, BatchCommand.self, ExportCommand.self, ServeCommand.self, IntegrateCommand.self, CrossCheckCommand.self, CalibrateCommand.self,
        ]
    )
}
