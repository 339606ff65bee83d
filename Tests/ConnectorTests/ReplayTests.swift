import Foundation
import TestSupport
import Testing
@testable import Catalog
import XrayCore

/// Each remaining connector against the recorded responses in ../shared/data/portals.
@Suite(.enabled(if: Fixture.present, "../shared/data/portals is absent")) struct ReplayTests {
    /// The doc author truncated federated examples with a `...` line; drop it to get the recorded items.
    static func repairedFragment(_ path: String) -> Data {
        let text = String(decoding: Fixture.data(path), as: UTF8.self)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.trimmingCharacters(in: .whitespaces) != "..." }
        let joined = kept.joined(separator: "\n").replacingOccurrences(of: "},\n]", with: "}\n]")
        return Data(joined.utf8)
    }

    @Test func panoscTechniqueFilterAndRecords() async throws {
        let server = try LoopbackServer { r in
            r.path == "/api/Datasets" ? .json(file: Fixture.url("panosc/refimpl-datasets-q-technique-xray-absorption.json")!) : .notFound
        }
        defer { server.stop() }
        let panosc = PaNOSCConnector(baseURL: server.baseURL.appendingPathComponent("api"), http: testClient())
        let hits = try await panosc.search(SearchQuery(text: "", technique: TechniqueMap.term("x-ray absorption"), limit: 10))
        #expect(hits.map(\.id) == ["panosc:20.500.12269/panosc-dataset3", "panosc:20.500.12269/panosc-dataset4"])
        #expect(hits[0].techniques == [TechniqueTag(panetID: "PaNET01227", label: "x-ray absorption", sourceTerm: "x-ray absorption")])
        #expect(hits[0].access == .catalogueOnly && hits[0].doi == nil)
        let filter = try #require(server.requests.first?.query["filter"])
        let parsed = try JSON.parse(Data(filter.utf8), from: "filter")
        let scope = parsed["include"][0]["scope"]["where"]["or"]
        #expect(scope[0]["pid"]["inq"].strings.contains("http://purl.org/pan-science/PaNET/PaNET01199"))
        #expect(scope[1]["name"]["inq"].strings.contains("x-ray absorption"))
        #expect(parsed["limit"].int64 == 10)
    }

    @Test func panoscFederatedScoredAnswerAndFiles() async throws {
        let mock = try #require(Fixture.json("panosc/panosc-search-api-reference-mockdb.json") as? [String: Any])
        let fileRows = ((mock["models"] as? [String: Any])?["File"] as? [String: String] ?? [:]).values
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let server = try LoopbackServer { r in
            if r.path == "/api/Datasets" { return .json(Self.repairedFragment("panosc/federated-prod-datasets-query-temperature-beam.json-fragment.txt")) }
            if r.decodedPath == "/api/Datasets/20.500.12269/panosc-dataset1/files" {
                return .json(Fixture.serialise(fileRows.filter { $0["datasetId"] as? String == "20.500.12269/panosc-dataset1" }))
            }
            return .notFound
        }
        defer { server.stop() }
        let panosc = PaNOSCConnector(baseURL: server.baseURL.appendingPathComponent("api"), http: testClient())
        let hits = try await panosc.search(SearchQuery(text: "temperature beam", limit: 10))
        #expect(hits.count == 3)
        #expect(hits[0].title == "OB-4-94cm_to_detector-SP" && hits[0].facility == "ESS" && hits[0].score == 0.8685875164121688)
        #expect(server.requests.first?.query["filter"]?.contains("\"query\":\"temperature beam\"") == true)
        // The pid has a '/', so it is percent-encoded as one path segment.
        let record = DatasetRecord(id: "panosc:20.500.12269/panosc-dataset1", source: "panosc", title: "t")
        let files = try await panosc.files(of: record)
        #expect(files.map(\.name) == ["panosc-file1.hdf"] && files[0].url == nil)
        #expect(server.requests.last?.path == "/api/Datasets/20.500.12269%2Fpanosc-dataset1/files")
    }

    /// The facility table agrees with data.panosc.eu's own provider list.
    @Test func panoscFacilitiesMatchProviderList() throws {
        let providers = try #require(Fixture.json("panosc/searchui-providers.json") as? [[String: Any]])
        #expect(providers.count == 9)
        for p in providers {
            let host = URL(string: p["url"] as? String ?? "")?.host ?? ""
            #expect(PaNOSCConnector.facilities[host] == p["abbr"] as? String, "\(host)")
        }
    }

    @Test func scicatSeedDatasetsFilesAndPublishedData() async throws {
        let blocks = try #require(Fixture.json("scicat/scicatlive-seed-OrigDatablock.json") as? [[String: Any]])
        let published = try #require(Fixture.json("scicat/scicatlive-seed-PublishedData.json") as? [[String: Any]])
        let server = try LoopbackServer { r in
            switch r.path {
            case "/api/v3/Datasets": return .json(file: Fixture.url("scicat/scicatlive-seed-Dataset.json")!)
            case "/api/v3/OrigDatablocks":
                let id = (try? JSON.parse(Data((r.query["filter"] ?? "").utf8), from: "f"))?["where"]["datasetId"].string
                return .json(Fixture.serialise(blocks.filter { $0["datasetId"] as? String == id }))
            default:
                let doi = r.decodedPath.replacingOccurrences(of: "/api/v3/PublishedData/", with: "")
                return published.first { $0["_id"] as? String == doi }.map { .json(Fixture.serialise($0)) } ?? .notFound
            }
        }
        defer { server.stop() }
        let scicat = SciCatConnector(baseURL: server.baseURL.appendingPathComponent("api/v3"), http: testClient())
        let hits = try await scicat.search(SearchQuery(text: "", technique: TechniqueMap.term("SCXRD"), limit: 50))
        #expect(hits.count == 19)
        let filter = try JSON.parse(Data((server.requests.first?.query["filter"] ?? "").utf8), from: "f")
        #expect(filter["where"]["and"][0]["isPublished"].bool == true)
        #expect(filter["where"]["and"][1]["techniques.pid"]["inq"].strings.contains("PaNET01168"))
        #expect(filter["where"]["and"][1]["techniques.pid"]["inq"].strings.contains("http://purl.org/pan-science/PaNET/PaNET01102"))
        let cheetah = try #require(hits.first { $0.id == "scicat:PID.SAMPLE.PREFIX/desy_ds1" })
        #expect(cheetah.title == "cheetah")
        #expect(cheetah.techniques.first?.panetID == "PaNET01168" && cheetah.techniques.first?.label == "serial femtosecond crystallography")
        #expect(cheetah.created == "2020-02-07T13:46:43.000Z")
        #expect(cheetah.license == nil)   // seed has "" — unknown, not guessed
        let files = try await scicat.files(of: cheetah)
        #expect(files.count == 1)
        #expect(files[0].url?.absoluteString.hasPrefix("https://cxidb.org/data/98/cheetah/") == true)
        let pub = try #require(try await scicat.resolve(doi: "10.9999/desy_pub1"))
        #expect(pub.title == "Evaluation of serial crystallographic structure determination within megahertz pulse trains")
        #expect(try await scicat.resolve(doi: "10.9999/none") == nil)
    }

    @Test func nomadQueryCursorAndRecord() async throws {
        let server = try LoopbackServer { r in
            guard r.path == "/api/v1/entries/query" else { return .notFound }
            let body = (try? JSON.parse(r.body, from: "body")) ?? .null
            if body["pagination"]["page_after_value"].string != nil {
                return .json(Data(#"{"pagination":{"page_size":1,"total":17957},"data":[]}"#.utf8))
            }
            return .json(file: Fixture.url("nomad/entries-query-Ti-O-page_size1.nomad-docs.json")!)
        }
        defer { server.stop() }
        let nomad = NOMADConnector(baseURL: server.baseURL.appendingPathComponent("api/v1"), http: testClient())
        let hits = try await nomad.search(SearchQuery(text: "Ti O", limit: 5))
        #expect(hits.map(\.id) == ["nomad:--SZVYOxA2jTu_L-mSxefSQFmeyF"])
        let first = try JSON.parse(server.requests[0].body, from: "b")
        #expect(first["query"]["results.material.elements"]["all"].strings == ["O", "Ti"])
        #expect(first["owner"].string == "public")
        let second = try JSON.parse(server.requests[1].body, from: "b")
        #expect(second["pagination"]["page_after_value"].string == "--SZVYOxA2jTu_L-mSxefSQFmeyF")
        #expect(hits[0].files.last?.url?.path == "/api/v1/entries/--SZVYOxA2jTu_L-mSxefSQFmeyF/raw")
        // Technique mapping to NOMAD's enums.
        let xas = try nomad.query(SearchQuery(text: "", technique: TechniqueMap.term("XAS")))
        #expect(jsonText(xas).contains("\"results.properties.spectroscopic.spectra.type:any\":[\"EXAFS\",\"XANES\",\"XAS\"]"))
        #expect(throws: ConnectorSkip.self) { _ = try nomad.query(SearchQuery(text: "calcite")) }
    }

    /// Globus Search envelope (GSearchResult, per Globus docs) around the three recorded MDF `content`s.
    @Test func mdfRecordsFilesAndGlobusOnly() async throws {
        let contents = ["mdf/forge-tutorial-search-Al-record-nist_xps.json", "mdf/forge-tutorial-search-elements-Al-record-cip.json",
                        "mdf/forge-tutorial-search-title-dataset-record.json"].compactMap { Fixture.json($0) }
        let envelope: [String: Any] = ["@datatype": "GSearchResult", "@version": "2017-09-01", "count": 3, "total": 3, "offset": 0,
                                       "gmeta": contents.enumerated().map { i, c in
                                           ["@datatype": "GMetaResult", "subject": "s\(i)", "entries": [["content": c, "entry_id": NSNull()]]] }]
        let server = try LoopbackServer { r in r.path == "/index/mdf/search" ? .json(Fixture.serialise(envelope)) : .notFound }
        defer { server.stop() }
        let mdf = MDFConnector(baseURL: server.baseURL.appendingPathComponent("index/mdf"), http: testClient())
        let hits = try await mdf.search(SearchQuery(text: "", element: "Al", limit: 10))
        #expect(hits.count == 3)
        let body = try JSON.parse(server.requests[0].body, from: "b")
        #expect(body["q"].string == "material.elements:Al" && body["advanced"].bool == true)
        let xps = hits[0]
        #expect(xps.id == "mdf:5be1c83f2ef3883312753d4a" && xps.elements == ["Al"])
        #expect(xps.techniques.first?.panetID == "PaNET01204")      // from source name nist_xps_db
        #expect(xps.files[0].checksum?.algorithm == .sha512 && xps.files[0].size == 1248)
        #expect(xps.files[0].url?.host == "e38ee745-6d04-11e5-ba46-22000b92c6ec.e.globus.org")
        let dataset = hits[2]
        #expect(dataset.title == "High-throughput Ab-initio Dilute Solute Diffusion Database")
        #expect(dataset.files.count == 1 && dataset.files[0].isGlobusOnly)
        #expect(dataset.license == nil)
        #expect(throws: RoentgenError.self) { _ = try DownloadItem(dataset.files[0], of: dataset) }
    }

    /// InvenioRDM-native record shape (per the InvenioRDM REST docs; no recorded MCA answer exists).
    @Test func materialsCloudNativeRecord() async throws {
        let record = #"{"hits":{"hits":[{"id":"rcyfm-68h65","pids":{"doi":{"identifier":"10.24435/materialscloud:rw-t0","provider":"datacite"}},"created":"2022-03-01T10:00:00+00:00","metadata":{"title":"XANES of Ti oxides","publication_date":"2022-03-01","rights":[{"id":"cc-by-4.0","title":{"en":"Creative Commons Attribution 4.0 International"}}],"subjects":[{"subject":"XANES"}]},"files":{"enabled":true,"entries":{"ti k-edge.xdi":{"key":"ti k-edge.xdi","size":2048,"checksum":"md5:0cc175b9c0f1b6a831c399e269772661"}}}}],"total":1}}"#
        let server = try LoopbackServer { r in r.path == "/api/records" ? .json(Data(record.utf8)) : .notFound }
        defer { server.stop() }
        let mc = MaterialsCloud.connector(baseURL: server.baseURL.appendingPathComponent("api"), http: testClient())
        let hits = try await mc.search(SearchQuery(text: "", technique: TechniqueMap.term("XANES")))
        let r = try #require(hits.first)
        #expect(r.id == "materialscloud:rcyfm-68h65" && r.doi == "10.24435/materialscloud:rw-t0" && r.license == "CC-BY-4.0")
        #expect(r.techniques.first?.panetID == "PaNET01199")
        #expect(r.files.first?.checksum == Checksum(.md5, "0cc175b9c0f1b6a831c399e269772661"))
        #expect(r.files.first?.url?.absoluteString == server.baseURL.absoluteString + "/api/records/rcyfm-68h65/files/ti%20k-edge.xdi/content")
        #expect(server.requests.first?.query["q"] == "(XANES OR NEXAFS OR \"x-ray absorption near edge structure\")")
    }

    /// IXAS element page and spectrum page rendered from the site's templates (ptable.html, spectrum.html).
    @Test func ixasElementPageRawFileAndFetch() async throws {
        let xdi = "# XDI/1.0\n# Element.symbol: Fe\n# Element.edge: K\n#----\n# energy mutrans\n7000.0 1.0\n"
        let listing = """
            <table cellspacing=5 cellpadding=2>
            <tr class=odd>
            <td> &nbsp; &nbsp; <a href="/spectrum/12"> Fe metal foil</a></td>
                    <td> &nbsp; Fe foil, 10 um </td>
            <td> &nbsp; K </td>
                    <td> &nbsp; APS 13-BM </td>
            <td> &nbsp; 5 </td>
            </tr>
            <tr class=even>
            <td> &nbsp; &nbsp; <a href="/spectrum/31"> FeO</a></td>
                    <td> &nbsp; wustite </td>
            <td> &nbsp; K </td>
                    <td> &nbsp; SSRL 4-3 </td>
            <td> &nbsp; 4 </td>
            </tr></table>
            """
        let server = try LoopbackServer { r in
            switch r.path {
            case "/elem/Fe": return .text(listing)
            case "/spectrum/12": return .text(#"<a href="/rawfile/12/Fe_foil_rt_01.xdi">Raw XDI file</a>"#)
            case "/rawfile/12/Fe_foil_rt_01.xdi": return .file(Data(xdi.utf8), for: r)
            default: return .notFound
            }
        }
        defer { server.stop() }
        let ixas = IXASConnector(baseURL: server.baseURL, http: testClient())
        let hits = try await ixas.search(SearchQuery(text: "", technique: TechniqueMap.term("XANES"), element: "Fe"))
        #expect(hits.map(\.id) == ["ixas:12", "ixas:31"])
        #expect(hits[0].title == "Fe metal foil (Fe K-edge)" && hits[0].facility == "APS 13-BM")
        let foil = try await ixas.search(SearchQuery(text: "foil", element: "Fe"))
        #expect(foil.map(\.id) == ["ixas:12"])
        await #expect(throws: ConnectorSkip.self) { _ = try await ixas.search(SearchQuery(text: "calcite", technique: TechniqueMap.term("XRD"))) }
        let cache = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let fetcher = Fetcher(sources: SourceSet(endpoints: Endpoints(urls: ["ixas": server.baseURL]), http: testClient()),
                              cache: DownloadCache(root: cache))
        let fetched = try await fetcher.fetch("ixas:12")
        #expect(fetched.first?.provenance.name == "Fe_foil_rt_01.xdi")
        #expect(try String(contentsOf: fetched[0].cachePath, encoding: .utf8) == xdi)
    }

    @Test func endpointsFromConfigFileAndOverrides() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("config.yaml")
        try "endpoints:\n  zenodo: http://127.0.0.1:9/api\n  scicat-psi: https://dacat.psi.ch/api/v3\ntimeouts:\n  nomad: 45\n  zenodo: 2.5\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let e = try Endpoints.load(configFile: file, overrides: ["nomad=http://127.0.0.1:8/v1"])
        #expect(e.timeouts == ["nomad": 45, "zenodo": 2.5])
        #expect(e.urls["zenodo"]?.absoluteString == "http://127.0.0.1:9/api")
        #expect(e.urls["nomad"]?.absoluteString == "http://127.0.0.1:8/v1")
        #expect(SourceSet(endpoints: e).connector("scicat-psi") is SciCatConnector)
        #expect(throws: RoentgenError.self) { _ = try Endpoints.load(configFile: nil, overrides: ["nosuch=http://x"]) }
        #expect(throws: RoentgenError.self) { _ = try Endpoints.load(configFile: nil, overrides: ["zenodo=ftp://x"]) }
        try "endpoints:\n  zenodo: [1, 2]\n".write(to: file, atomically: true, encoding: .utf8)
        do { _ = try Endpoints.load(configFile: file); Issue.record("expected an error") } catch let e as RoentgenError {
            #expect(e.file == file.path && e.message.contains("endpoint 'zenodo'"))
        }
    }

    @Test func harvestStoreRoundTripAndFTS() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = HarvestStore(index: try CatalogIndex(files: .embedded, cacheDirectory: dir))
        let r = DatasetRecord(id: "ixas:12", source: "ixas", title: "Fe metal foil", techniques: [TechniqueMap.tag("XANES")], elements: ["Fe"])
        try store.upsert([r, r])
        #expect(try store.count() == 1)
        #expect(try store.search("foil", limit: 5) == [r])
        #expect(try store.search("XANES Fe", limit: 5).map(\.id) == ["ixas:12"])
        #expect(try store.search("\"unbalanced ( quote", limit: 5).isEmpty)
    }
}
