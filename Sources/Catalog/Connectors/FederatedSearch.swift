import Foundation
import XrayCore

/// How one source fared in a federated search.
public struct SourceReport: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable {
        case answered, timedOut = "timed out", failed, skipped
        /// The source has no API; its page is given instead.
        case noAPI = "no API"
    }
    public var source: String
    public var status: Status
    public var count: Int
    /// Wall time, seconds.
    public var seconds: Double
    /// Error text, or the page to visit for sources without an API.
    public var message: String?

    public init(source: String, status: Status, count: Int, seconds: Double, message: String? = nil) {
        self.source = source
        self.status = status
        self.count = count
        self.seconds = seconds
        self.message = message
    }
}

/// Merged, de-duplicated and ranked results, and what every source did.
public struct SearchOutcome: Sendable, Codable {
    public var records: [DatasetRecord]
    public var reports: [SourceReport]

    public init(records: [DatasetRecord], reports: [SourceReport]) {
        self.records = records
        self.reports = reports
    }
}

/// Queries many connectors concurrently, each under its own timeout; one failing or hanging
/// source never fails the whole search — it is reported as `timed out` or `failed`.
public struct FederatedSearch: Sendable {
    public let sources: SourceSet
    /// Timeout of every source without its own in `sources.timeouts`, seconds.
    public let timeout: TimeInterval

    public init(sources: SourceSet, timeout: TimeInterval = 20) {
        self.sources = sources
        self.timeout = timeout
    }

    /// Searches `only` (names; nil = every configured source).
    public func search(_ query: SearchQuery, only: [String]? = nil) async -> SearchOutcome {
        let wanted = only.map { Set($0.map { $0.lowercased() }) }
        var reports: [SourceReport] = []
        var all: [DatasetRecord] = []
        let chosen = sources.connectors.filter { c in
            guard let wanted else { return true }
            return wanted.contains(c.name) || wanted.contains(where: { c.name.hasPrefix($0 + "-") })
        }
        for c in sources.connectors where !chosen.contains(where: { $0.name == c.name }) {
            reports.append(SourceReport(source: c.name, status: .skipped, count: 0, seconds: 0, message: "not selected"))
        }
        await withTaskGroup(of: (SourceReport, [DatasetRecord]).self) { group in
            for connector in chosen {
                let limit = sources.timeouts[connector.name] ?? timeout
                group.addTask { await Self.run(connector, query, timeout: limit) }
            }
            for await (report, records) in group {
                reports.append(report)
                all += records
            }
        }
        for source in NoAPISources.all where wanted == nil || wanted!.contains(source.name) {
            reports.append(SourceReport(source: source.name, status: .noAPI, count: 0, seconds: 0,
                                        message: "no public API; search by hand at \(source.page.absoluteString)"))
            if source.covers(query) { all.append(source.record) }
        }
        reports.sort { $0.source < $1.source }
        return SearchOutcome(records: Self.rank(Self.merge(all), for: query), reports: reports)
    }

    /// One source under a timeout: the search races a timer; the loser is cancelled.
    static func run(_ connector: any Connector, _ query: SearchQuery, timeout: TimeInterval) async -> (SourceReport, [DatasetRecord]) {
        let start = Date()
        enum Race { case done([DatasetRecord]), failed(Error), timedOut }
        let result = await withTaskGroup(of: Race.self) { group -> Race in
            group.addTask {
                do { return .done(try await connector.search(query)) } catch { return .failed(error) }
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
        let seconds = Date().timeIntervalSince(start)
        switch result {
        case .done(let records):
            return (SourceReport(source: connector.name, status: .answered, count: records.count, seconds: seconds), records)
        case .failed(let skip as ConnectorSkip):
            return (SourceReport(source: connector.name, status: .skipped, count: 0, seconds: seconds, message: skip.reason), [])
        case .failed(let error):
            return (SourceReport(source: connector.name, status: .failed, count: 0, seconds: seconds, message: "\(error)"), [])
        case .timedOut:
            return (SourceReport(source: connector.name, status: .timedOut, count: 0, seconds: seconds,
                                 message: "no answer within \(timeout) s from \(connector.baseURL.absoluteString)"), [])
        }
    }

    /// De-duplicates by DOI: the first record of a DOI is kept and filled in from the others
    /// (files, licence, techniques, elements).
    public static func merge(_ records: [DatasetRecord]) -> [DatasetRecord] {
        var out: [DatasetRecord] = []
        var indexByDOI: [String: Int] = [:]
        for r in records {
            guard let doi = r.doi, let i = indexByDOI[doi] else {
                if let doi = r.doi { indexByDOI[doi] = out.count }
                out.append(r)
                continue
            }
            // Prefer the record that can deliver files; fill its gaps from the other.
            let (primary, other) = out[i].files.isEmpty && !r.files.isEmpty ? (r, out[i]) : (out[i], r)
            var kept = primary
            kept.license = primary.license ?? other.license
            kept.summary = primary.summary ?? other.summary
            kept.published = primary.published ?? other.published
            for t in other.techniques where !kept.techniques.contains(where: { $0.panetID != nil && $0.panetID == t.panetID }) {
                kept.techniques.append(t)
            }
            for e in other.elements where !kept.elements.contains(e) { kept.elements.append(e) }
            out[i] = kept
        }
        return out
    }

    /// Ranks by: technique match (deep), element match, query words in the title, the source's
    /// own score, downloadable files, known licence. Ties keep source order.
    public static func rank(_ records: [DatasetRecord], for query: SearchQuery) -> [DatasetRecord] {
        let words = query.text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        func score(_ r: DatasetRecord) -> Double {
            var s = 0.0
            if let t = query.technique, r.techniques.contains(where: { t.matches($0.panetID) }) { s += 2 }
            if let e = query.element, r.elements.contains(e) || r.sample?.contains(e) == true { s += 1 }
            if !words.isEmpty {
                let title = r.title.lowercased()
                s += Double(words.filter { title.contains($0) }.count) / Double(words.count)
            }
            s += min(1, max(0, r.score ?? 0)) * 0.5
            if r.files.contains(where: { $0.url != nil }) { s += 0.3 }
            if r.license != nil { s += 0.1 }
            if r.access == .noAPI { s -= 0.5 }
            return s
        }
        return records.enumerated().map { ($0.offset, score($0.element), $0.element) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            .map(\.2)
    }
}
