import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XrayCore

/// `roentgen fetch`: DOI, URL or record id → the files → the cache (→ a directory).
///
/// A Zenodo DOI `10.5281/zenodo.N` goes straight to record N; other DOIs go through the
/// prefix resolver, then DataCite (landing page → repository → record).
public struct Fetcher: Sendable {
    public let sources: SourceSet
    public let cache: DownloadCache

    public init(sources: SourceSet, cache: DownloadCache) {
        self.sources = sources
        self.cache = cache
    }

    /// One fetched file.
    public struct Fetched: Sendable {
        public var provenance: FetchProvenance
        /// The cached bytes.
        public var cachePath: URL
        /// Where it was delivered (`--to`), if asked.
        public var delivered: URL?
    }

    /// The record and download list for `target` (a DOI, an http(s) URL or `source:id`).
    public func plan(_ target: String, only glob: String? = nil) async throws -> (DatasetRecord?, [DownloadItem]) {
        let trimmed = target.trimmingCharacters(in: .whitespaces)
        if let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
           DOI.normalise(trimmed) == nil {
            let name = url.lastPathComponent == "content" ? url.deletingLastPathComponent().lastPathComponent : url.lastPathComponent
            return (nil, [DownloadItem(url: url, name: name.isEmpty ? "download" : name)])
        }
        let record = try await resolveRecord(trimmed)
        var files = try await sources.require(record.source).files(of: record)
        if let glob { files = files.filter { Self.matches(glob, $0.name) } }
        guard !files.isEmpty else {
            if record.access == .noAPI || record.access == .catalogueOnly {
                throw RoentgenError(.notFound, "\(record.id) lists no downloadable files; see its page",
                                    url: record.landingPage?.absoluteString)
            }
            throw RoentgenError(.notFound, glob.map { "no file of \(record.id) matches '\($0)'" } ?? "\(record.id) has no files",
                                url: record.landingPage?.absoluteString)
        }
        return (record, try files.map { try DownloadItem($0, of: record) })
    }

    /// The record behind a DOI or `source:id`.
    public func resolveRecord(_ target: String) async throws -> DatasetRecord {
        if let doi = DOI.normalise(target) {
            if let id = Zenodo.recordID(ofDOI: doi) {
                return try await sources.require("zenodo").record(id: id)
            }
            if let repo = DOIResolver.repository(ofDOI: doi), let connector = sources.connector(repo.rawValue),
               let record = try await connector.resolve(doi: doi) {
                return record
            }
            let datacite = try sources.require("datacite")
            guard let record = try await datacite.resolve(doi: doi) else {
                throw RoentgenError(.notFound, "DOI \(doi) is not registered with DataCite", url: datacite.baseURL.absoluteString)
            }
            if let landing = record.landingPage, let (repo, id) = DOIResolver.repository(ofLandingPage: landing),
               let id, let connector = sources.connector(repo.rawValue) {
                var found = try await connector.record(id: id)
                if found.doi == nil { found.doi = doi }
                return found
            }
            if !record.files.isEmpty { return record }
            throw RoentgenError(.notFound, "DOI \(doi) resolves to a landing page whose repository has no file API Roentgen knows; "
                + "download by hand from the page", url: record.landingPage?.absoluteString)
        }
        let parts = target.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw RoentgenError.badParameter("'\(target)': expected a DOI (10.…), an http(s) URL or SOURCE:ID (e.g. zenodo:7085903)")
        }
        return try await sources.require(parts[0]).record(id: parts[1])
    }

    /// Fetches every planned file into the cache and, with `directory`, delivers a copy there.
    public func fetch(_ target: String, only glob: String? = nil, to directory: URL? = nil,
                      progress: @escaping @Sendable (DownloadItem, Int64, Int64?) -> Void = { _, _, _ in }) async throws -> [Fetched] {
        let (_, items) = try await plan(target, only: glob)
        var out: [Fetched] = []
        for item in items {
            let (provenance, path) = try await cache.fetch(item) { progress(item, $0, $1) }
            let delivered = try directory.map { try cache.deliver(provenance, to: $0) }
            out.append(Fetched(provenance: provenance, cachePath: path, delivered: delivered))
        }
        return out
    }

    /// Shell-style glob match on the file name or path (`*.xdi`, `data/*`).
    public static func matches(_ glob: String, _ name: String) -> Bool {
        fnmatch(glob, name, 0) == 0 || fnmatch(glob, (name as NSString).lastPathComponent, 0) == 0
    }
}
