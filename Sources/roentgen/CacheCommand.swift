import ArgumentParser
import Catalog
import Foundation
import XrayCore

/// `roentgen cache list|verify|clean`.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect, verify or clean the download cache.",
        subcommands: [List.self, Verify.self, Clean.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cached files and unfinished downloads.")
        @Flag(help: "Print JSON (the provenance records).")
        var json = false

        func run() throws {
            let cache = DownloadCache()
            let files = cache.list()
            if json {
                let data = try JSONEncoder().encode(files)
                print(String(decoding: data, as: UTF8.self))
                return
            }
            for p in files {
                print("\(p.sha256.prefix(12))  \(humanSize(p.size))  \(p.retrieved)  \(p.doi ?? p.source ?? "-")  \(p.name)")
            }
            for (file, bytes) in cache.partials() {
                print("partial       \(humanSize(bytes))  \(file.lastPathComponent) (resumes on the next fetch)")
            }
            print("\(files.count) file(s) in \(cache.root.path)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-hash every cached file against its SHA-256 address.")
        func run() throws {
            let (checked, bad) = try DownloadCache().verify()
            for p in bad { print("CORRUPT  \(p.sha256)  \(p.name)  \(p.url)") }
            print("\(checked) file(s) checked, \(bad.count) corrupt")
            if !bad.isEmpty { throw ExitCode.failure }
        }
    }

    struct Clean: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete cached files (or only unfinished downloads).")
        @Flag(help: "Only delete unfinished (partial) downloads.")
        var partial = false
        func run() throws {
            do {
                let freed = try DownloadCache().clean(partialOnly: partial)
                print("freed \(humanSize(freed))")
            } catch { throw exitWithError(error) }
        }
    }
}
