import ArgumentParser
import Catalog
import Foundation
import RoentgenOperations
import XrayCore

/// Options shared by `search` and `fetch`: endpoints and timeouts.
struct SourceOptions: ParsableArguments {
    @Option(name: .customLong("endpoint"), help: ArgumentHelp("Set a source's base URL (repeatable), e.g. zenodo=https://zenodo.org/api.", valueName: "NAME=URL"))
    var endpoints: [String] = []

    @Option(help: "Config file with an 'endpoints:' mapping (default: $ROENTGEN_CONFIG or ~/.config/roentgen/config.yaml).")
    var config: String?

    @Option(help: "Timeout per source or per stalled transfer, in seconds.")
    var timeout: Double = 20

    func sourceSet() throws -> SourceSet {
        try CatalogOperations.sourceSet(config: config, endpoints: endpoints, timeout: timeout)
    }
}

/// Prints a `RoentgenError` (or any error) to stderr and exits non-zero.
func exitWithError(_ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("roentgen: \(error)\n".utf8))
    return ExitCode.failure
}

/// `1.2 MB` style sizes.
func humanSize(_ bytes: Int64?) -> String {
    guard let bytes else { return "?" }
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(bytes), unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
