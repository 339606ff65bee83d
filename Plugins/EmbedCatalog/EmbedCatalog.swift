import Foundation
import PackagePlugin

/// Compiles the repository's `catalog/` record files into the Catalog module, so the
/// `roentgen` binary carries its catalog with it (`CatalogFiles.embedded`).
@main
struct EmbedCatalog: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let catalog = context.package.directoryURL.appendingPathComponent("catalog")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: catalog.path)) ?? []
        let inputs = names.filter { ["yaml", "yml", "json"].contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
            .map { catalog.appendingPathComponent($0) }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedCatalogData.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) catalog records",
                executable: try context.tool(named: "embed-catalog").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs + [catalog],
                outputFiles: [output]
            ),
        ]
    }
}
