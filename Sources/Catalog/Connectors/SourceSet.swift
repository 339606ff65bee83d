import Foundation
import XrayCore

/// The connectors built from a set of endpoints, looked up by name.
public struct SourceSet: Sendable {
    public let connectors: [any Connector]
    public let http: HTTPClient
    /// Search timeouts set per source (seconds).
    public let timeouts: [String: Double]

    public init(endpoints: Endpoints, http: HTTPClient = HTTPClient()) {
        self.http = http
        self.timeouts = endpoints.timeouts
        connectors = endpoints.urls.keys.sorted().compactMap { name in
            guard let url = endpoints.urls[name] else { return nil }
            return Self.connector(named: name, baseURL: url, http: http)
        }
    }

    /// The connector for an endpoint name: known names, or by prefix (`panosc-*`, `scicat-*`).
    public static func connector(named name: String, baseURL: URL, http: HTTPClient) -> (any Connector)? {
        switch name {
        case "zenodo": return Zenodo.connector(baseURL: baseURL, http: http)
        case "materialscloud": return MaterialsCloud.connector(baseURL: baseURL, http: http)
        case "datacite": return DataCiteConnector(baseURL: baseURL, http: http)
        case "nomad": return NOMADConnector(baseURL: baseURL, http: http)
        case "mdf": return MDFConnector(baseURL: baseURL, http: http)
        case "ixas": return IXASConnector(baseURL: baseURL, http: http)
        case _ where name.hasPrefix("panosc"): return PaNOSCConnector(name: name, baseURL: baseURL, http: http)
        case _ where name.hasPrefix("scicat"): return SciCatConnector(name: name, baseURL: baseURL, http: http)
        default: return nil
        }
    }

    public func connector(_ name: String) -> (any Connector)? {
        connectors.first { $0.name == name.lowercased() }
    }

    /// The connector, or an error that lists the configured names.
    public func require(_ name: String) throws -> any Connector {
        guard let c = connector(name) else {
            throw RoentgenError.badParameter("no source named '\(name)' (configured: \(connectors.map(\.name).joined(separator: ", ")))")
        }
        return c
    }
}
