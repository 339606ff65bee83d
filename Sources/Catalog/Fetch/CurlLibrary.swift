import Foundation
import CRoentgenCurl
import XrayCore

/// The system libcurl, loaded at run time (`dlopen("libcurl.so.4")`, see CRoentgenCurl).
///
/// FoundationNetworking links against the same library, so it is present wherever URLSession
/// works on Linux; no headers or link flags are needed. When it cannot be loaded, downloads use
/// URLSession instead (`FetchTransport`).
final class CurlLibrary: @unchecked Sendable {
    /// The resolved function table (never freed).
    let table: OpaquePointer
    /// `curl_version()`, e.g. "libcurl/7.88.1 OpenSSL/3.0.17 …".
    let version: String

    private init(table: OpaquePointer) {
        self.table = table
        version = String(cString: roentgen_curl_version(table))
    }

    /// The library name tried by default.
    static let defaultName = "libcurl.so.4"

    /// The process-wide library: `$ROENTGEN_LIBCURL` or `libcurl.so.4`, loaded once on first use.
    static let shared: Result<CurlLibrary, RoentgenError> =
        load(ProcessInfo.processInfo.environment["ROENTGEN_LIBCURL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultName)

    /// Loads `name` with dlopen; the error names the library and says why it failed.
    static func load(_ name: String) -> Result<CurlLibrary, RoentgenError> {
        var reason = [CChar](repeating: 0, count: 512)
        guard let table = roentgen_curl_load(name, &reason, reason.count) else {
            let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(RoentgenError(.io, "cannot load libcurl: \(text)", file: name))
        }
        return .success(CurlLibrary(table: table))
    }

    /// curl_easy_strerror.
    func describe(_ code: Int32) -> String {
        roentgen_curl_strerror(table, code).map { String(cString: $0) } ?? "libcurl error \(code)"
    }
}

/// Which HTTP engine moves file bodies into the cache.
public enum FetchTransport: String, Sendable, CaseIterable {
    /// libcurl when it loads, else URLSession. `ROENTGEN_FETCH_TRANSPORT=urlsession|libcurl`
    /// in the environment chooses instead.
    case automatic
    /// Foundation's URLSession data delegate: the portable path, ~45–50 % of curl's throughput
    /// (16 KiB pieces, one queue hop each; see Benchmarks/fetch/README.md).
    case urlSession = "urlsession"
    /// libcurl's easy interface with a 512 KiB receive buffer, on a thread of its own.
    case libcurl

    /// The engine actually used for `requested`: `.urlSession` or `.libcurl` (only when
    /// `library` loaded; otherwise the URLSession fallback).
    static func resolve(_ requested: FetchTransport, library: Result<CurlLibrary, RoentgenError>,
                        environment: [String: String] = ProcessInfo.processInfo.environment) -> FetchTransport {
        var choice = requested
        if choice == .automatic, let named = environment["ROENTGEN_FETCH_TRANSPORT"].flatMap(FetchTransport.init(rawValue:)) {
            choice = named
        }
        if choice == .urlSession { return .urlSession }
        #if !os(Linux)
        // Apple's URLSession is not FoundationNetworking: it has no per-piece cost to avoid.
        if choice == .automatic { return .urlSession }
        #endif
        if case .success = library { return .libcurl }
        return .urlSession
    }

    /// Why downloads use the slower URLSession engine although libcurl was wanted, or nil when
    /// they do not (libcurl loaded, or URLSession chosen on purpose). For a one-line user note.
    public static func fallbackReason(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        #if !os(Linux)
        return nil
        #else
        guard resolve(.automatic, library: CurlLibrary.shared, environment: environment) == .urlSession,
              case .failure(let error) = CurlLibrary.shared else { return nil }
        return "downloads use URLSession (about half of libcurl's throughput): \(error.message) (\(error.file ?? CurlLibrary.defaultName))"
        #endif
    }
}
