import ArgumentParser
import Catalog
import Foundation
import RoentgenOperations
import XrayCore

/// `roentgen search QUERY`: ask every source at once, merge, rank, say who answered.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search open X-ray data across portals (PaNOSC, NOMAD, Zenodo, MDF, …) in one call.",
        discussion: "Results are merged by DOI and ranked; every source is reported as answered, timed out, failed or skipped. "
            + "Results are remembered in a local index, so --offline searches what was seen before.")

    @Argument(help: "Free text, e.g. 'calcite' or 'As K-edge'.")
    var query: [String] = []

    @Option(help: "Technique: PaNET id, label or acronym (XAS, XANES, EXAFS, XRD, PXRD, SAXS, PDF …).")
    var technique: String?

    @Option(help: "Element symbol, e.g. As.")
    var element: String?

    @Option(name: .customLong("source"), parsing: .upToNextOption, help: "Only these sources (names as in --endpoint).")
    var sourceNames: [String] = []

    @Option(help: "Most results per source.")
    var limit: Int = 20

    @Flag(help: "Search only the local index of records seen before.")
    var offline = false

    @Flag(help: "Print JSON: {records, reports}.")
    var json = false

    @OptionGroup var sources: SourceOptions

    func run() async throws {
        do {
            var request = CatalogOperations.PortalSearchRequest()
            request.query = query.joined(separator: " "); request.technique = technique; request.element = element
            request.sources = sourceNames; request.limit = limit; request.offline = offline
            let outcome = try await CatalogOperations.searchPortals(request, sources: try sources.sourceSet(), timeout: sources.timeout)
            if json {
                try Output.printJSON(outcome)
                return
            }
            for r in outcome.records {
                let techniques = r.techniques.map { $0.panetID != nil ? ($0.label) : $0.sourceTerm }.prefix(3).joined(separator: ", ")
                var line = "\(r.id)  \(r.title.prefix(80))"
                if let doi = r.doi { line += "  doi:\(doi)" }
                print(line)
                var detail: [String] = []
                if !techniques.isEmpty { detail.append(techniques) }
                if !r.elements.isEmpty { detail.append(r.elements.prefix(8).joined(separator: " ")) }
                if let license = r.license { detail.append(license) } else if r.access != .noAPI { detail.append("licence unknown") }
                if !r.files.isEmpty { detail.append("\(r.files.count) file(s)") }
                if r.access == .noAPI, let page = r.landingPage { detail.append("no API: see \(page.absoluteString)") }
                if r.files.contains(where: \.isGlobusOnly) { detail.append("Globus only") }
                if r.access == .restricted { detail.append("files restricted") }
                if !detail.isEmpty { print("    " + detail.joined(separator: " · ")) }
            }
            let summary = outcome.reports.map { report -> String in
                switch report.status {
                case .answered: return "\(report.source): \(report.count)"
                case .noAPI: return "\(report.source): no API"
                default: return "\(report.source): \(report.status.rawValue)"
                }
            }
            FileHandle.standardError.write(Data("\(outcome.records.count) result(s) — \(summary.joined(separator: ", "))\n".utf8))
            for report in outcome.reports where report.status == .failed || report.status == .timedOut {
                FileHandle.standardError.write(Data("  \(report.source) \(report.status.rawValue): \(report.message ?? "")\n".utf8))
            }
        } catch {
            throw exitWithError(error)
        }
    }
}
