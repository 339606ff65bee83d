import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XrayCore

/// What to download and what the source promised about it.
public struct DownloadItem: Sendable, Hashable {
    public var url: URL
    /// File name to deliver under (`--to DIR/name`).
    public var name: String
    public var expectedSize: Int64?
    public var checksum: Checksum?
    /// Connector name, record id and DOI, recorded in the provenance.
    public var source: String?
    public var recordID: String?
    public var doi: String?

    public init(url: URL, name: String, expectedSize: Int64? = nil, checksum: Checksum? = nil,
                source: String? = nil, recordID: String? = nil, doi: String? = nil) {
        self.url = url
        self.name = name
        self.expectedSize = expectedSize
        self.checksum = checksum
        self.source = source
        self.recordID = recordID
        self.doi = doi
    }

    public init(_ file: DatasetFile, of record: DatasetRecord) throws {
        guard let url = file.url else {
            throw RoentgenError(.notFound, file.globus.map { "'\(file.name)' is reachable only through Globus Transfer (\($0))" }
                ?? "'\(file.name)' has no download URL", url: record.landingPage?.absoluteString)
        }
        self.init(url: url, name: file.name, expectedSize: file.size, checksum: file.checksum,
                  source: record.source, recordID: record.id, doi: record.doi)
    }
}

/// The record written beside every cached (and delivered) file: where the bytes came from.
public struct FetchProvenance: Sendable, Codable, Hashable {
    public var source: String?
    public var recordID: String?
    public var doi: String?
    public var url: String
    public var name: String
    public var size: Int64
    public var sha256: String
    /// The checksum the source published, as verified (`md5:…`).
    public var publishedChecksum: String?
    /// ISO 8601 UTC time the download finished.
    public var retrieved: String
    public var tool: String
}

/// A content-addressed download cache under `$XDG_CACHE_HOME/roentgen` (else `~/.cache/roentgen`).
///
/// Layout: `files/sha256/ab/<sha256>` (the bytes) + `<sha256>.provenance.json`;
/// `urls/<sha256(url)>.json` maps a URL to its provenance; `partial/<sha256(url)>.part` holds
/// an unfinished download. A download becomes a cache file only by `rename` after its size and
/// checksum are verified, so a killed download never leaves a file that looks complete, and the
/// next fetch of the same URL resumes the `.part` with an HTTP Range request.
public final class DownloadCache: @unchecked Sendable {
    public let root: URL
    public let retry: RetryPolicy
    /// Idle timeout of a transfer (no bytes for this long = interrupted), seconds.
    public let timeout: TimeInterval
    /// Resume attempts after a broken connection, per file.
    public let maxResumes: Int
    public let userAgent: String
    /// The HTTP engine asked for (`.automatic`: libcurl when it loads, else URLSession).
    public let transport: FetchTransport
    /// Paces downloads by the servers' `X-RateLimit-*` headers (shared with the connectors).
    public let rateLimiter: RateLimiter
    /// PEM file of the certificate authorities HTTPS servers are checked against, instead of the
    /// system's (`$ROENTGEN_CA_BUNDLE`; for facilities with a private CA). libcurl engine only.
    public let caBundle: String?

    /// The engine file bodies actually go through: `.libcurl` or `.urlSession`.
    public var transportInUse: FetchTransport { FetchTransport.resolve(transport, library: CurlLibrary.shared) }

    /// `$XDG_CACHE_HOME/roentgen`, else `~/.cache/roentgen`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("roentgen")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/roentgen")
    }

    public init(root: URL = DownloadCache.defaultRoot(), retry: RetryPolicy = RetryPolicy(), timeout: TimeInterval = 60,
                maxResumes: Int = 5, userAgent: String = HTTPClient.defaultUserAgent, transport: FetchTransport = .automatic,
                rateLimiter: RateLimiter = .shared,
                caBundle: String? = ProcessInfo.processInfo.environment["ROENTGEN_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }) {
        self.caBundle = caBundle
        self.root = root
        self.transport = transport
        self.rateLimiter = rateLimiter
        self.retry = retry
        self.timeout = timeout
        self.maxResumes = maxResumes
        self.userAgent = userAgent
    }

    var filesDir: URL { root.appendingPathComponent("files/sha256") }
    var urlsDir: URL { root.appendingPathComponent("urls") }
    var partialDir: URL { root.appendingPathComponent("partial") }

    /// Path of the cached bytes for a SHA-256.
    public func path(sha256: String) -> URL {
        filesDir.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    /// Path of the partial download of `url`.
    public func partialPath(for url: URL) -> URL {
        partialDir.appendingPathComponent(SHA256.hex(Data(url.absoluteString.utf8)) + ".part")
    }

    /// The provenance of `url` if it is cached and its bytes are still there.
    public func cached(_ url: URL) -> FetchProvenance? {
        let index = urlsDir.appendingPathComponent(SHA256.hex(Data(url.absoluteString.utf8)) + ".json")
        guard let data = try? Data(contentsOf: index),
              let provenance = try? JSONDecoder().decode(FetchProvenance.self, from: data),
              FileManager.default.fileExists(atPath: path(sha256: provenance.sha256).path) else { return nil }
        return provenance
    }

    /// Downloads `item` into the cache (or finds it there) and returns its provenance and path.
    /// Resumes broken transfers, retries 429/503, verifies size and the published checksum.
    public func fetch(_ item: DownloadItem, progress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in })
        async throws -> (FetchProvenance, URL) {
        if let hit = cached(item.url) { return (hit, path(sha256: hit.sha256)) }
        try makeDirectory(partialDir)
        let part = partialPath(for: item.url)
        if !FileManager.default.fileExists(atPath: part.path) {
            guard FileManager.default.createFile(atPath: part.path, contents: nil) else {
                throw RoentgenError(.io, "cannot create a file in the cache (is it writable?)", file: part.path)
            }
        }
        var request = URLRequest(url: item.url)
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        request.timeoutInterval = timeout
        var waits = 0, resumes = 0
        var result: (DownloadDigests, Int64)
        while true {
            try Task.checkCancellation()
            let offset = Self.fileSize(part)
            var digests = DownloadDigests(expected: item.checksum?.algorithm)
            if let expected = item.expectedSize, offset == expected {
                try digests.update(fileAt: part, count: offset)   // a killed run had every byte already
                result = (digests, offset)
                break
            }
            if let expected = item.expectedSize, offset > expected {
                try? FileManager.default.removeItem(at: part)
                _ = FileManager.default.createFile(atPath: part.path, contents: nil)
                continue
            }
            try await rateLimiter.wait(for: item.url, maxDelay: retry.maxDelay)
            let (outcome, hashed, length, _) = try await transfer(request, part: part, offset: offset,
                                                                  expected: item.checksum?.algorithm, progress: progress)
            switch outcome {
            case .complete:
                if let hashed {
                    result = (hashed, length)
                } else {   // an empty 200 body never opened the file: hash what is there
                    try digests.update(fileAt: part, count: length)
                    result = (digests, length)
                }
            case .later(let status, let retryAfter):
                waits += 1
                guard let wait = retry.delay(attempt: waits, retryAfter: retryAfter) else {
                    throw RoentgenError(.network, "HTTP \(status) after \(waits - 1) retries"
                        + (retryAfter.map { " (server asks to retry after \($0))" } ?? ""), url: item.url.absoluteString)
                }
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                continue
            case .interrupted(_, let error):
                resumes += 1
                if resumes > maxResumes {
                    throw RoentgenError(.network, "\(error.message); gave up after \(maxResumes) resumes "
                        + "(\(Self.fileSize(part)) bytes kept; run fetch again to resume)", url: item.url.absoluteString)
                }
                continue
            }
            break
        }
        return try commit(item, part: part, digests: result.0, size: result.1)
    }

    /// One transfer attempt through the engine in use (libcurl, else URLSession).
    private func transfer(_ request: URLRequest, part: URL, offset: Int64, expected: Checksum.Algorithm?,
                          progress: @escaping @Sendable (Int64, Int64?) -> Void) async throws
        -> (TransferOutcome, DownloadDigests?, Int64, String?) {
        if transportInUse == .libcurl, case .success(let library) = CurlLibrary.shared {
            return try await CurlTransfer(library: library, request: request, partURL: part, offset: offset, expected: expected,
                                          timeout: timeout, caBundle: caBundle, rateLimiter: rateLimiter, progress: progress).run()
        }
        return try await StreamingTransfer(request: request, partURL: part, offset: offset, expected: expected,
                                           rateLimiter: rateLimiter, progress: progress).run(timeout: timeout)
    }

    /// Verifies size and checksum, renames the partial file into place, writes the provenance.
    private func commit(_ item: DownloadItem, part: URL, digests: DownloadDigests, size: Int64) throws -> (FetchProvenance, URL) {
        var digests = digests
        try? FileManager.default.removeItem(at: ResponseHead.etagFile(for: part))
        let (sha256, published) = digests.finish()
        let urlText = item.url.absoluteString
        if let expected = item.expectedSize, expected != size {
            try? FileManager.default.removeItem(at: part)
            throw RoentgenError(.integrity, "size \(size) bytes, but the source lists \(expected) bytes; file rejected", url: urlText)
        }
        if let checksum = item.checksum {
            let actual = checksum.algorithm == .sha256 ? sha256 : published
            if actual != checksum.hex {
                try? FileManager.default.removeItem(at: part)
                throw RoentgenError(.integrity, "\(checksum.algorithm.rawValue) is \(actual ?? "?"), but the source lists "
                    + "\(checksum.hex); file rejected, not cached", url: urlText)
            }
        }
        let target = path(sha256: sha256)
        try makeDirectory(target.deletingLastPathComponent())
        if FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.removeItem(at: part)
        } else if rename(part.path, target.path) != 0 {
            throw RoentgenError(.io, "cannot move the download into the cache: \(String(cString: strerror(errno)))", file: target.path)
        }
        let provenance = FetchProvenance(
            source: item.source, recordID: item.recordID, doi: item.doi, url: urlText, name: item.name, size: size,
            sha256: sha256, publishedChecksum: item.checksum?.description,
            retrieved: ISO8601DateFormatter().string(from: Date()), tool: "roentgen 0.1")
        let json = try Self.encoder.encode(provenance)
        try writeAtomically(json, to: target.appendingPathExtension("provenance.json"))
        try makeDirectory(urlsDir)
        try writeAtomically(json, to: urlsDir.appendingPathComponent(SHA256.hex(Data(urlText.utf8)) + ".json"))
        return (provenance, target)
    }

    /// Copies a cached file to `directory/name` (temp + rename) with `name.provenance.json` beside it.
    public func deliver(_ provenance: FetchProvenance, to directory: URL) throws -> URL {
        let name = provenance.name.split(separator: "/").map(String.init).filter { $0 != ".." && $0 != "." }.joined(separator: "/")
        let target = directory.appendingPathComponent(name.isEmpty ? provenance.sha256 : name)
        try makeDirectory(target.deletingLastPathComponent())
        let temp = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).roentgen-tmp")
        try? FileManager.default.removeItem(at: temp)
        do {
            try FileManager.default.copyItem(at: path(sha256: provenance.sha256), to: temp)
        } catch {
            throw RoentgenError(.io, "cannot write (is the directory writable?): \(error.localizedDescription)", file: temp.path)
        }
        if rename(temp.path, target.path) != 0 {
            throw RoentgenError(.io, "cannot rename into place: \(String(cString: strerror(errno)))", file: target.path)
        }
        try writeAtomically(try Self.encoder.encode(provenance), to: target.appendingPathExtension("provenance.json"))
        return target
    }

    // MARK: list / verify / clean

    /// Every cached file's provenance, newest first.
    public func list() -> [FetchProvenance] {
        guard let walker = FileManager.default.enumerator(at: filesDir, includingPropertiesForKeys: nil) else { return [] }
        var out: [FetchProvenance] = []
        for case let url as URL in walker where url.lastPathComponent.hasSuffix(".provenance.json") {
            if let data = try? Data(contentsOf: url), let p = try? JSONDecoder().decode(FetchProvenance.self, from: data) { out.append(p) }
        }
        return out.sorted { $0.retrieved > $1.retrieved }
    }

    /// Partial downloads: (URL if known, bytes so far).
    public func partials() -> [(file: URL, bytes: Int64)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialDir.path)) ?? []
        return names.filter { $0.hasSuffix(".part") }.sorted().map {
            let url = partialDir.appendingPathComponent($0)
            return (url, Self.fileSize(url))
        }
    }

    /// Re-hashes every cached file; returns those whose bytes no longer match their address.
    public func verify() throws -> (checked: Int, bad: [FetchProvenance]) {
        let all = list()
        var bad: [FetchProvenance] = []
        for p in all {
            let file = path(sha256: p.sha256)
            let ok = (try? SHA256.hexDigest(ofFileAt: file)) == p.sha256
            if !ok { bad.append(p) }
        }
        return (all.count, bad)
    }

    /// Removes cached files (all, or only partial downloads); returns bytes freed.
    @discardableResult
    public func clean(partialOnly: Bool = false) throws -> Int64 {
        var freed: Int64 = 0
        let dirs = partialOnly ? [partialDir] : [partialDir, filesDir, urlsDir]
        for dir in dirs {
            if let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) {
                for case let url as URL in walker { freed += Self.fileSize(url) }
            }
            if FileManager.default.fileExists(atPath: dir.path) {
                do { try FileManager.default.removeItem(at: dir) } catch {
                    throw RoentgenError(.io, "cannot remove: \(error.localizedDescription)", file: dir.path)
                }
            }
        }
        return freed
    }

    // MARK: helpers

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func fileSize(_ url: URL) -> Int64 {
        var st = stat()
        return stat(url.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int64(st.st_size) : 0
    }

    func makeDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw RoentgenError(.io, "cannot create directory (is the path writable?): \(error.localizedDescription)", file: url.path)
        }
    }

    func writeAtomically(_ data: Data, to url: URL) throws {
        do { try data.write(to: url, options: .atomic) } catch {
            throw RoentgenError(.io, "cannot write: \(error.localizedDescription)", file: url.path)
        }
    }
}
