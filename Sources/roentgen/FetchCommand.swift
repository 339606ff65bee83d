import ArgumentParser
import Catalog
import Foundation
import XrayCore

/// `roentgen fetch DOI|URL|SOURCE:ID`: download a dataset's files into the cache.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a dataset's files (by DOI, URL or SOURCE:ID) into the verified cache.",
        discussion: """
        Files go into a content-addressed cache under $XDG_CACHE_HOME/roentgen (else ~/.cache/roentgen), \
        are checked against the size and checksum the source publishes, and get a provenance JSON beside them. \
        An interrupted download resumes on the next run.
        """)

    @Argument(help: "A DOI (10.5281/zenodo.7085903), an http(s) URL, or SOURCE:ID (zenodo:7085903).")
    var target: String

    @Option(help: "Also copy the files into this directory (with NAME.provenance.json beside each).")
    var to: String?

    @Option(help: "Only files whose name matches this glob, e.g. '*.xdi'.")
    var only: String?

    @Flag(help: "List the files without downloading.")
    var dryRun = false

    @OptionGroup var sources: SourceOptions

    func run() async throws {
        do {
            let fetcher = Fetcher(sources: try sources.sourceSet(), cache: DownloadCache(timeout: sources.timeout))
            if dryRun {
                let (record, items) = try await fetcher.plan(target, only: only)
                if let record { print("\(record.id)  \(record.title)") }
                for item in items {
                    print("  \(item.name)  \(humanSize(item.expectedSize))  \(item.checksum?.description ?? "no checksum")  \(item.url.absoluteString)")
                }
                return
            }
            if let reason = FetchTransport.fallbackReason() { Output.note("note: \(reason)") }
            let bar = ProgressBar(label: target)
            let results = try await fetcher.fetch(target, only: only, to: to.map { URL(fileURLWithPath: $0) }) { _, received, total in
                bar.update(received, total)
            }
            bar.finish()
            for r in results {
                let checked = r.provenance.publishedChecksum.map { "verified \($0.prefix(4) == "md5:" ? "md5" : String($0.prefix(while: { $0 != ":" })))" } ?? "no published checksum"
                print("\(r.provenance.name)  \(humanSize(r.provenance.size))  sha256:\(r.provenance.sha256.prefix(12))  \(checked)  \((r.delivered ?? r.cachePath).path)")
            }
        } catch {
            throw exitWithError(error)
        }
    }
}
