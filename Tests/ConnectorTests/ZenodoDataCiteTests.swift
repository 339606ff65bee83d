import Foundation
import TestSupport
import Testing
@testable import Catalog
import XrayCore

@Suite(.enabled(if: Fixture.present, "../shared/data/portals is absent")) struct ZenodoTests {
    /// Replays the recorded `/api/records?q=` answer (10 hits of 29).
    @Test func searchParsesRecordedHits() async throws {
        let server = try LoopbackServer { request in
            request.path == "/api/records" ? .json(file: Fixture.url("zenodo/cldfzenodo-search_keyword.json")!) : .notFound
        }
        defer { server.stop() }
        let zenodo = Zenodo.connector(baseURL: server.baseURL.appendingPathComponent("api"), http: testClient())
        let hits = try await zenodo.search(SearchQuery(text: "cldf", limit: 10))
        #expect(hits.count == 10)
        let first = try #require(hits.first)
        #expect(first.id == "zenodo:8250015")
        #expect(first.doi == "10.5281/zenodo.8250015")
        #expect(first.title.hasPrefix("Phlorest phylogeny derived from Chang et al. 2015"))
        #expect(first.license == "CC-BY-4.0")
        #expect(first.landingPage?.absoluteString == "https://zenodo.org/records/8250015")
        let file = try #require(first.files.first)
        #expect(file.name == "phlorest/chang_et_al2015-v1.0.zip")
        #expect(file.size == 56054523)
        #expect(file.checksum == Checksum(.md5, "fbe30139de78919af8016d5494b280c5"))
        // Built from record id + key against the configured base, not the stored zenodo.org link.
        #expect(file.url?.absoluteString == server.baseURL.absoluteString + "/api/records/8250015/files/phlorest/chang_et_al2015-v1.0.zip/content")
        let query = try #require(server.requests.first?.query)
        #expect(query["q"] == "cldf")
        #expect(query["size"] == "10")
    }

    /// A technique filter becomes keyword synonyms for a keyword-only source.
    @Test func techniqueBecomesKeywordQuery() {
        let q = SearchQuery(text: "calcite", technique: TechniqueMap.term("XRD"), element: "Ca")
        #expect(q.keywordQuery == "(XRD OR \"x-ray diffraction\") AND Ca AND (calcite)")
    }

    /// `fetch 10.5281/zenodo.N` → record N; files from the recorded multi-file record.
    @Test func zenodoDOIResolvesToRecord() async throws {
        let root = try #require(Fixture.json("zenodo/cldfzenodo-record_multifile.json") as? [String: Any])
        let hit = try #require(((root["hits"] as? [String: Any])?["hits"] as? [Any])?.first)
        let server = try LoopbackServer { request in
            request.path == "/api/records/7085903" ? .json(Fixture.serialise(hit)) : .notFound
        }
        defer { server.stop() }
        let endpoints = Endpoints(urls: ["zenodo": server.baseURL.appendingPathComponent("api")])
        let fetcher = Fetcher(sources: SourceSet(endpoints: endpoints, http: testClient()), cache: DownloadCache(root: temporaryDirectory()))
        let (record, items) = try await fetcher.plan("https://doi.org/10.5281/zenodo.7085903", only: "*.tsv")
        #expect(record?.title.hasPrefix("CINWA") == true)
        #expect(items.map(\.name) == ["lang_data.tsv", "main_data.tsv", "plant_data.tsv"])
        #expect(items.first?.checksum == Checksum(.md5, "21f1ab8538c2ccc2b2a29d65a368e3ff"))
        #expect(items.first?.expectedSize == 3216)
    }

    @Test func missingRecordIsNotFound() async throws {
        let server = try LoopbackServer { _ in .notFound }
        defer { server.stop() }
        let zenodo = Zenodo.connector(baseURL: server.baseURL.appendingPathComponent("api"), http: testClient())
        await #expect(throws: RoentgenError.self) { _ = try await zenodo.record(id: "1") }
        do { _ = try await zenodo.record(id: "1") } catch let e as RoentgenError {
            #expect(e.kind == .notFound)
            #expect(e.url?.hasSuffix("/api/records/1") == true)
        }
    }

    @Test func zenodoIDsFromDOIsAndLandingPages() {
        #expect(Zenodo.recordID(ofDOI: "10.5281/zenodo.48440") == "48440")
        #expect(Zenodo.recordID(ofDOI: "doi:10.5281/ZENODO.7085903") == "7085903")
        #expect(Zenodo.recordID(ofDOI: "10.24435/materialscloud:rw-t0") == nil)
        #expect(Zenodo.recordID(ofLandingPage: URL(string: "https://zenodo.org/record/48440")!) == "48440")
    }
}

@Suite(.enabled(if: Fixture.present, "../shared/data/portals is absent")) struct DataCiteTests {
    /// Serves every recorded `/dois/{doi}` file at its DOI path, and the recorded 404 otherwise.
    static func server() throws -> LoopbackServer {
        try LoopbackServer { request in
            let doi = request.decodedPath.replacingOccurrences(of: "/dois/", with: "")
            if let url = Fixture.url("datacite/doi-" + doi.replacingOccurrences(of: "/", with: "_") + ".json") {
                return .json(file: url)
            }
            return .json(Fixture.data("datacite/doi-not-found-404.json"), status: 404)
        }
    }

    @Test func resolvesRecordedDOIs() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let datacite = DataCiteConnector(baseURL: server.baseURL, http: testClient())
        let z = try #require(try await datacite.resolve(doi: "10.5281/zenodo.48440"))
        #expect(z.title == "Analysis Tools For Crossover Experiment Of Ui Using Choice Architecture")
        #expect(z.license == "CC-BY-NC-SA-4.0")
        #expect(z.landingPage?.absoluteString == "https://zenodo.org/record/48440")
        #expect(z.published == "2016")
        let lund = try #require(try await datacite.resolve(doi: "10.5878/xyad-9f70"))
        #expect(lund.license == "CC-BY-4.0")   // from rightsIdentifier, past two free-text access statements
        let bath = try #require(try await datacite.resolve(doi: "10.15125/bath-00114"))
        #expect(bath.license == nil)            // "has no associated licence": unknown, not guessed
        #expect(bath.facility == "University of Bath")
        #expect(server.requests.first?.path == "/dois/10.5281/zenodo.48440")
    }

    @Test func unknownDOIIsNil() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let datacite = DataCiteConnector(baseURL: server.baseURL, http: testClient())
        #expect(try await datacite.resolve(doi: "10.4124/05f6c3c1-1bb5-4c3a-9a8e-ae8ae8b7c3f6/1") == nil)
    }

    /// Cursor paging: the second page is asked with the cursor from `links.next` and the filters re-applied.
    @Test func cursorPagingKeepsFilters() async throws {
        let page = try #require(Fixture.json("datacite/dois-list-page-size5.rdatacite-cassette.json") as? [String: Any])
        let server = try LoopbackServer { request in
            var body = page
            let cursor = request.query["page[cursor]"] ?? ""
            body["links"] = ["self": "x", "next": cursor == "1" ? "https://api.datacite.org/dois?page%5Bcursor%5D=MTU3NzkyNjY&page%5Bsize%5D=5" : nil]
            if cursor != "1" { body["links"] = ["self": "x"] }
            return .json(Fixture.serialise(body))
        }
        defer { server.stop() }
        let datacite = DataCiteConnector(baseURL: server.baseURL, http: testClient())
        let hits = try await datacite.search(SearchQuery(text: "XANES", limit: 8))
        #expect(hits.count == 8)
        let second = try #require(server.requests.dropFirst().first)
        #expect(second.query["page[cursor]"] == "MTU3NzkyNjY")
        #expect(second.query["query"] == "XANES")
        #expect(second.query["resource-type-id"] == "dataset")
    }

    @Test func prefixResolver() {
        #expect(DOIResolver.repository(ofDOI: "10.5281/zenodo.1") == .zenodo)
        #expect(DOIResolver.repository(ofDOI: "10.24435/materialscloud:rw-t0") == .materialscloud)
        #expect(DOIResolver.repository(ofDOI: "10.17172/NOMAD/2023.11.17-2") == .nomad)
        #expect(DOIResolver.repository(ofDOI: "10.18126/iidy-30e7") == .mdf)
        #expect(DOIResolver.repository(ofDOI: "10.15151/ESRF-DC-818569841") == .esrf)
        #expect(DOIResolver.repository(ofDOI: "10.3204/desy-2014-01645") == nil)
    }

    /// A non-Zenodo DOI whose DataCite landing page is a Zenodo record is fetched through Zenodo
    /// (the recorded Zenodo record with an external DOI; DataCite answer shaped like the recorded ones).
    @Test func externalDOIOnZenodoGoesThroughLandingPage() async throws {
        let root = try #require(Fixture.json("zenodo/cldfzenodo-record_with_external_doi.json") as? [String: Any])
        let hit = try #require(((root["hits"] as? [String: Any])?["hits"] as? [Any])?.first)
        var datacite = try #require(Fixture.json("datacite/doi-10.5281_zenodo.48440.json") as? [String: Any])
        var data = try #require(datacite["data"] as? [String: Any])
        var attributes = try #require(data["attributes"] as? [String: Any])
        attributes["doi"] = "10.11646/zootaxa.3916.1.1"
        attributes["url"] = "https://zenodo.org/records/15482"
        data["attributes"] = attributes
        data["id"] = "10.11646/zootaxa.3916.1.1"
        datacite["data"] = data
        let answer = Fixture.serialise(datacite)
        let server = try LoopbackServer { r in
            switch r.decodedPath {
            case "/datacite/dois/10.11646/zootaxa.3916.1.1": return .json(answer)
            case "/zenodo/records/15482": return .json(Fixture.serialise(hit))
            default: return .notFound
            }
        }
        defer { server.stop() }
        let endpoints = Endpoints(urls: ["datacite": server.baseURL.appendingPathComponent("datacite"),
                                         "zenodo": server.baseURL.appendingPathComponent("zenodo")])
        let fetcher = Fetcher(sources: SourceSet(endpoints: endpoints, http: testClient()), cache: DownloadCache(root: temporaryDirectory()))
        let record = try await fetcher.resolveRecord("doi:10.11646/zootaxa.3916.1.1")
        #expect(record.id == "zenodo:15482" && record.doi == "10.11646/zootaxa.3916.1.1")
        #expect(record.access == .restricted)   // the recorded record is access_right "restricted", no files
        #expect(server.requests.map(\.decodedPath) == ["/datacite/dois/10.11646/zootaxa.3916.1.1", "/zenodo/records/15482"])
        do {
            _ = try await fetcher.plan("doi:10.11646/zootaxa.3916.1.1")
            Issue.record("expected an error")
        } catch let e as RoentgenError {
            #expect(e.message.contains("restricted") && e.url == "https://zenodo.org/records/15482")
        }
    }

    /// A non-Zenodo DOI whose DataCite landing page is on Zenodo is fetched through Zenodo.
    @Test func dataCiteLandingPageDispatchesToRepository() async throws {
        let api = try Self.server()
        defer { api.stop() }
        let endpoints = Endpoints(urls: ["datacite": api.baseURL])
        let fetcher = Fetcher(sources: SourceSet(endpoints: endpoints, http: testClient()), cache: DownloadCache(root: temporaryDirectory()))
        // The DESY DOI's landing page is a library catalogue: no file API, so a clear error naming the page.
        do {
            _ = try await fetcher.plan("10.3204/desy-2014-01645")
            Issue.record("expected an error")
        } catch let e as RoentgenError {
            #expect(e.kind == .notFound)
            #expect(e.url == "http://bib-pubdb1.desy.de/record/166827")
        }
    }
}
