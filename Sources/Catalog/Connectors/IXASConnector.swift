import Foundation
import XrayCore

/// The IXAS XAS Data Library (xaslib.xrayabsorption.org): no JSON API, a server-rendered site.
/// Lists spectra per absorbing element at `/elem/<El>` (HTML table rows linking
/// `/spectrum/<id>`), serves the stored XDI at `/rawfile/<id>/<filename>`; the spectrum page
/// links the raw file. Searching needs an element.
public struct IXASConnector: Connector {
    public let name = "ixas"
    public let baseURL: URL
    let http: HTTPClient

    public init(baseURL: URL, http: HTTPClient) {
        self.baseURL = baseURL
        self.http = http
    }

    public func search(_ q: SearchQuery) async throws -> [DatasetRecord] {
        if let t = q.technique, !TechniqueMap.term("PaNET01227")!.matches(t.id), t.id != "PaNET01227" {
            throw ConnectorSkip(reason: "the XAS Data Library holds XAS only")
        }
        let element = q.element ?? q.text.split(separator: " ").map(String.init).first { Element.named($0)?.symbol == $0 }
        guard let element else { throw ConnectorSkip(reason: "the XAS Data Library is browsed by element: give --element") }
        let page = baseURL.appendingSegment("elem").appendingSegment(element)
        let html = try await http.getText(page)
        let words = q.text.lowercased().split(separator: " ").filter { Element.named(String($0))?.symbol.lowercased() != String($0) }
        return Array(Self.rows(html).filter { row in
            words.isEmpty || words.allSatisfy { row.name.lowercased().contains($0) || row.description.lowercased().contains($0) }
        }.prefix(q.limit).map { row in
            DatasetRecord(id: "ixas:\(row.id)", source: name, title: "\(row.name) (\(element) \(row.edge)-edge)",
                          techniques: [TechniqueMap.tag("XAFS")], elements: [element], sample: row.name, facility: row.beamline,
                          license: "public domain", landingPage: baseURL.appendingSegment("spectrum").appendingSegment(row.id),
                          summary: row.description.isEmpty ? nil : row.description, access: .api)
        })
    }

    /// The raw XDI file linked from the spectrum page.
    public func files(of record: DatasetRecord) async throws -> [DatasetFile] {
        let page = baseURL.appendingSegment("spectrum").appendingSegment(record.nativeID)
        let html = try await http.getText(page)
        let pattern = "rawfile/\(NSRegularExpression.escapedPattern(for: record.nativeID))/([^\"'<> ]+)"
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let m = regex.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)),
              let r = Range(m.range(at: 1), in: html) else {
            throw RoentgenError(.notFound, "no raw-file link (rawfile/\(record.nativeID)/…) on the spectrum page", url: page.absoluteString)
        }
        let name = String(html[r]).removingPercentEncoding ?? String(html[r])
        return [DatasetFile(name: name, url: baseURL.appendingSegment("rawfile").appendingSegment(record.nativeID).appendingSegment(name))]
    }

    public func record(id: String) async throws -> DatasetRecord {
        DatasetRecord(id: "ixas:\(id)", source: name, title: "XAS Data Library spectrum \(id)", techniques: [TechniqueMap.tag("XAFS")],
                      license: "public domain", landingPage: baseURL.appendingSegment("spectrum").appendingSegment(id), access: .api)
    }

    struct Row { var id, name, description, edge, beamline: String }

    /// Rows of the element page: `<a href="/spectrum/ID"> NAME</a></td> <td> DESC </td> <td> EDGE </td> <td> BEAMLINE </td>`.
    static func rows(_ html: String) -> [Row] {
        let pattern = #"href="[^"]*/spectrum/(\d+)"\s*>\s*([^<]*?)\s*</a>\s*</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>"#
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return [] }
        let clean: (String) -> String = { $0.replacingOccurrences(of: "&nbsp;", with: " ").trimmingCharacters(in: .whitespacesAndNewlines) }
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { m in
            let g = (1...5).compactMap { Range(m.range(at: $0), in: html).map { clean(String(html[$0])) } }
            return g.count == 5 ? Row(id: g[0], name: g[1], description: g[2], edge: g[3], beamline: g[4]) : nil
        }
    }
}
