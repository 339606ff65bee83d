import Foundation
import Yams
import XrayCore

/// Base URLs of every source, from the defaults, a config file and `--endpoint NAME=URL`
/// (later wins). Private SciCat/ICAT/PaNOSC instances are added under new names:
/// a name starting `panosc` is a PaNOSC search API, `scicat` a SciCat `/api/v3`.
///
/// Config file (`$ROENTGEN_CONFIG`, else `$XDG_CONFIG_HOME/roentgen/config.yaml`, else
/// `~/.config/roentgen/config.yaml`):
/// ```yaml
/// endpoints:
///   zenodo: https://zenodo.org/api
///   panosc-esrf: https://icatplus.esrf.fr/api
/// timeouts:          # seconds, per source (others use --timeout)
///   panosc: 40
/// ```
public struct Endpoints: Sendable, Hashable {
    public var urls: [String: URL]
    /// Search timeout per source name, seconds.
    public var timeouts: [String: Double] = [:]

    public static let defaults: [String: URL] = [
        "panosc": URL(string: "https://federated.panosc.ess.eu/api")!,
        "scicat": URL(string: "https://scicat.ess.eu/api/v3")!,
        "nomad": URL(string: "https://nomad-lab.eu/prod/v1/api/v1")!,
        "zenodo": Zenodo.defaultBaseURL,
        "materialscloud": MaterialsCloud.defaultBaseURL,
        "mdf": URL(string: "https://search.api.globus.org/v1/index/1a57bbe5-5272-477f-9d31-343b8258b7a5")!,
        "datacite": DataCiteConnector.defaultBaseURL,
        "ixas": URL(string: "https://xaslib.xrayabsorption.org")!,
    ]

    public init(urls: [String: URL] = Endpoints.defaults) {
        self.urls = urls
    }

    /// Defaults, then the config file (if present), then `overrides` (`NAME=URL`).
    public static func load(configFile: URL? = Endpoints.defaultConfigFile(), overrides: [String] = []) throws -> Endpoints {
        var endpoints = Endpoints()
        if let configFile, FileManager.default.fileExists(atPath: configFile.path) {
            try endpoints.apply(configFile: configFile)
        }
        for text in overrides { try endpoints.apply(override: text) }
        return endpoints
    }

    public static func defaultConfigFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["ROENTGEN_CONFIG"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("roentgen/config.yaml")
    }

    mutating func apply(configFile: URL) throws {
        let text: String
        do { text = try String(contentsOf: configFile, encoding: .utf8) } catch {
            throw RoentgenError(.io, "cannot read config file", file: configFile.path)
        }
        let parsed: Any?
        do { parsed = try Yams.load(yaml: text) } catch {
            throw RoentgenError(.invalidRecord, "not valid YAML: \(error)", file: configFile.path)
        }
        guard let top = parsed as? [String: Any] else { return }
        if let timeouts = top["timeouts"] {
            guard let map = timeouts as? [String: Any] else {
                throw RoentgenError(.invalidRecord, "expected 'timeouts:' to be a mapping of NAME: seconds", file: configFile.path)
            }
            for (name, value) in map {
                guard let seconds = (value as? Double) ?? (value as? Int).map(Double.init), seconds > 0 else {
                    throw RoentgenError(.invalidRecord, "timeout '\(name)': expected a positive number of seconds, got '\(value)'", file: configFile.path)
                }
                self.timeouts[name.lowercased()] = seconds
            }
        }
        guard let map = top["endpoints"] as? [String: Any] else {
            if top["endpoints"] != nil {
                throw RoentgenError(.invalidRecord, "expected 'endpoints:' to be a mapping of NAME: URL", file: configFile.path)
            }
            return
        }
        for (name, value) in map {
            guard let text = value as? String, let url = Self.httpURL(text) else {
                throw RoentgenError(.invalidRecord, "endpoint '\(name)': expected an http(s) URL, got '\(value)'", file: configFile.path)
            }
            urls[name.lowercased()] = url
        }
    }

    mutating func apply(override text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, let url = Self.httpURL(parts[1]) else {
            throw RoentgenError.badParameter("--endpoint '\(text)': expected NAME=URL with an http(s) URL, e.g. zenodo=https://zenodo.org/api")
        }
        let name = parts[0].lowercased()
        guard Self.isKnown(name) else {
            throw RoentgenError.badParameter("--endpoint '\(text)': unknown source '\(name)' (known: "
                + Self.defaults.keys.sorted().joined(separator: ", ") + "; or panosc-NAME / scicat-NAME for another facility)")
        }
        urls[name] = url
    }

    /// A source name Roentgen has a connector for.
    public static func isKnown(_ name: String) -> Bool {
        defaults[name] != nil || name.hasPrefix("panosc") || name.hasPrefix("scicat")
    }

    static func httpURL(_ text: String) -> URL? {
        guard let url = URL(string: text.trimmingCharacters(in: .whitespaces)),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else { return nil }
        return url
    }
}
