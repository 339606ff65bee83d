import Foundation
import Testing
import TestSupport

/// The fit and integration routes (`/api/pdf/fit`, `/api/xas/fit`, `/api/xrd/refine`, `/api/integrate`)
/// on real shared cases, against the anchors' numbers; files named inside fit files stay in the
/// workspace; long fits leave the server answering; portal search through a loopback portal.
@Suite(.serialized) struct FitRouteTests {
    /// The pixium CeO2 frame with pyFAI's PONI and mask, bbox splitting, polarisation 0.99 and a radial
    /// range: the case of images/reference/integrate1d_pixium_03150.json (variant `radial_range`, bbox).
    static var pixium: [String: Any] { ["images": ["images/pixium_03150.tif"], "poni": "images/DLS_CeO2_1200mm_pyFAI.poni",
                                        "mask": "images/DLS_CeO2_1200mm.mask", "method": "bbox", "polarization": 0.99,
                                        "radial_range": "2.42:12.97"] }
    static let pixiumCLI = ["integrate", "images/pixium_03150.tif", "--poni", "images/DLS_CeO2_1200mm_pyFAI.poni", "--mask", "images/DLS_CeO2_1200mm.mask",
                            "--method", "bbox", "--polarization", "0.99", "--radial-range", "2.42:12.97", "--json"]

    /// A fit's JSON with its wall time (`"seconds" : …`, the one thing that differs run to run) blanked.
    static func timeless(_ text: String?) -> String {
        (text ?? "").replacingOccurrences(of: #""seconds" : [-0-9.e]+"#, with: #""seconds" : 0"#, options: .regularExpression)
    }

    static func referenceJSON(_ path: String) throws -> [String: Any]? {
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return nil }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    }

    /// The API's fit results against the anchors: PDFfit2 (Ni lesson 1), Larch feffit (Cu first shell),
    /// pyFAI (pixium); the LaB6 Rietveld case has no anchor numbers in ../shared/data, so it is held to
    /// convergence and Rwp > Rexp, as the CLI's own test does.
    static func expectAnchorValues(_ replies: [String: RawHTTP.Reply]) throws {
        if let reference = try referenceJSON("xrd/pdf-fit/reference/ni_pdfgetx3.json") {
            let expected = try #require((reference["results"] as? [String: [String: Any]])?["lesson1"])
            let pdf = try #require(replies["POST /api/pdf/fit"]?.object)
            let rw = try #require(pdf["rw"] as? Double), rwRef = try #require(expected["Rw"] as? Double)
            #expect(abs(rw - rwRef) < 1e-6, "Rw \(rw) vs PDFfit2 \(rwRef)")
            #expect(pdf["n_points"] as? Int == expected["n_points"] as? Int)
            let params = try #require(pdf["params"] as? [String: [String: Any]])
            for (idx, p) in try #require(expected["parameters"] as? [String: [String: Any]]) {
                let value = try #require(p["value"] as? Double), ours = try #require(params["@\(idx)"]?["value"] as? Double)
                #expect(abs(ours - value) <= 1e-5 * abs(value), "@\(idx) \(ours) vs PDFfit2 \(value)")
            }
        }
        if let reference = try referenceJSON("xas/feffit/reference/cu_1shell.json") {
            let main = try #require((reference["results"] as? [String: [String: Any]])?["main"])
            let stats = try #require(main["statistics"] as? [String: Any])
            let feff = try #require(replies["POST /api/xas/fit"]?.object)
            let chi2 = try #require(feff["chi_square"] as? Double), chi2Ref = try #require(stats["chi_square"] as? Double)
            #expect(abs(chi2 / chi2Ref - 1) < 1e-6, "chi² \(chi2) vs Larch \(chi2Ref)")
            let params = try #require(feff["params"] as? [String: [String: Any]])
            for (name, p) in try #require(main["params"] as? [String: [String: Any]]) {
                let value = try #require(p["value"] as? Double), stderr = try #require(p["stderr"] as? Double)
                let ours = try #require(params[name]?["value"] as? Double)
                #expect(abs(ours - value) <= 0.01 * stderr, "\(name) \(ours) vs Larch \(value) ± \(stderr)")
            }
        }
        let refine = try #require(replies["POST /api/xrd/refine"]?.object)
        let rwp = try #require(refine["rwp"] as? Double), rexp = try #require(refine["rexp"] as? Double)
        #expect(refine["converged"] as? Bool == true && rwp > rexp && rwp < 20, "LaB6 Rwp \(rwp) Rexp \(rexp)")
        let phase = try #require((refine["phases"] as? [[String: Any]])?.first)
        #expect(phase["name"] as? String == "LaB6" && abs(((phase["cell"] as? [String: Any])?["a"] as? Double ?? 0) - 4.157) < 0.01)

        if let reference = try referenceJSON("images/reference/integrate1d_pixium_03150.json") {
            let results = try #require(reference["results"] as? [[String: Any]])
            let expected = try #require(results.first { $0["variant"] as? String == "radial_range" && ($0["method_key"] as? String ?? "").hasPrefix("bbox") })
            let integrated = try #require(replies["POST /api/integrate"]?.object)
            #expect(integrated["masked_pixels"] as? Int == 30627 && integrated["method"] as? String == "bbox")
            let intensity = try #require(integrated["intensity"] as? [Double]), sigma = try #require(integrated["sigma"] as? [Double])
            let refIntensity = try #require(expected["intensity"] as? [Any]), refSigma = try #require(expected["sigma"] as? [Any])
            #expect(intensity.count == 1000)
            for k in stride(from: 0, to: 1000, by: 37) {
                guard let i = refIntensity[k] as? Double, let s = refSigma[k] as? Double else { continue }
                #expect(abs(intensity[k] - i) <= 1e-4 * abs(i), "bin \(k): \(intensity[k]) vs pyFAI \(i)")
                #expect(abs(sigma[k] - s) <= 1e-4 * abs(s), "bin \(k): σ \(sigma[k]) vs pyFAI \(s)")
            }
        }
    }

    @Test func filesNamedInsideFitFilesMustBeInTheWorkspace() throws {
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        let server = try LiveServer(root: root)
        let http = RawHTTP(host: server.host, port: server.port)
        func expectRefused(_ reply: RawHTTP.Reply, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(reply.status == 400 && reply.errorKind == "refusedPath", "\(what): \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
            #expect(!reply.text.contains("root:x:0"), "\(what) leaks a file", sourceLocation: sourceLocation)
        }
        // The PDF fit file whose data and structure lie one folder above the root.
        expectRefused(try http.post("/api/pdf/fit", ["file": "fits/outside.yaml"]), "PDF fit file naming files outside")
        // A feffit file naming /etc/passwd as its χ(k) data; a Rietveld file naming it as a CIF.
        let feff = try String(contentsOf: root.appendingPathComponent("fits/cu_1shell.yaml"), encoding: .utf8)
        try feff.replacingOccurrences(of: "../xas/feffit/cu_1shell/chi_cu_rt.dat", with: "/etc/passwd")
            .write(to: root.appendingPathComponent("fits/feff_out.yaml"), atomically: true, encoding: .utf8)
        expectRefused(try http.post("/api/xas/fit", ["file": "fits/feff_out.yaml"]), "feffit data outside")
        let rietveld = try String(contentsOf: root.appendingPathComponent("fits/lab6_bruker.yaml"), encoding: .utf8)
        try rietveld.replacingOccurrences(of: "../xrd/rietveld/lab6_bruker/LaB6.cif", with: "../escape/passwd")
            .write(to: root.appendingPathComponent("fits/riet_out.yaml"), atomically: true, encoding: .utf8)
        expectRefused(try http.post("/api/xrd/refine", ["file": "fits/riet_out.yaml"]), "Rietveld CIF through a symlink out")
        // Request fields themselves: the quick forms and the integration's files.
        expectRefused(try http.post("/api/xrd/refine", ["file": "xrd/bruker_raw/LaB6_Jan2018.raw", "phases": ["/etc/passwd"]]), "quick-form phase")
        expectRefused(try http.post("/api/pdf/fit", ["file": "xrd/pdf/pdfgetx3_Ni/ni300mesh_300k_nor_1-5-pdfgetx3.gr", "phase": "../x.cif", "qmax": 26]), "quick-form structure")
        expectRefused(try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "/etc/passwd"]), "PONI outside")
        expectRefused(try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "images/DLS_CeO2_1200mm_pyFAI.poni",
                                                       "spline": "/etc/passwd"]), "spline outside")
        // A PONI inside the workspace naming a distortion spline outside it.
        let poni = try String(contentsOf: root.appendingPathComponent("images/DLS_CeO2_1200mm_pyFAI.poni"), encoding: .utf8)
        try poni.replacingOccurrences(of: "\"max_shape\"", with: "\"splineFile\": \"/etc/passwd\", \"max_shape\"").write(to: root.appendingPathComponent("fits/spline_out.poni"), atomically: true, encoding: .utf8)
        expectRefused(try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "fits/spline_out.poni"]), "spline named by a PONI, outside")
        // Bad requests and data the analysis cannot use.
        let noPhase = try http.post("/api/xrd/refine", ["file": "xrd/bruker_raw/LaB6_Jan2018.raw"])
        #expect(noPhase.status == 422 && noPhase.errorKind == "badParameter", "\(noPhase.text)")
        let noImage = try http.post("/api/integrate", ["poni": "images/DLS_CeO2_1200mm_pyFAI.poni"])
        #expect(noImage.status == 422 && noImage.text.contains("at least one image"), "\(noImage.text)")
        let badUnit = try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "images/DLS_CeO2_1200mm_pyFAI.poni", "unit": "furlongs"])
        #expect(badUnit.status == 422 && badUnit.text.contains("furlongs"), "\(badUnit.text)")
        let notAFitFile = try http.post("/api/xas/fit", ["file": "xrd/cif/common/AMCSD_Rutile.cif"])
        #expect(notAFitFile.status == 422 && (notAFitFile.object["error"] as? [String: Any])?["file"] as? String == "xrd/cif/common/AMCSD_Rutile.cif", "\(notAFitFile.text)")
        #expect(try http.post("/api/pdf/fit", ["file": "fits/ni_pdfgetx3-lesson1.yaml", "qmaxx": 1]).status == 400, "unknown parameter")
        #expect(server.interrupt() == 0)
    }

    /// Fits run off the threads that answer requests: with two fits in flight (as many as the
    /// machine's cores), a workspace listing sent after them is answered before either fit is.
    @Test func fitsLeaveTheServerAnswering() throws {
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        let server = try LiveServer(root: root)
        let http = RawHTTP(host: server.host, port: server.port)
        final class Order: @unchecked Sendable {
            let lock = NSLock(); var events: [String] = []
            func add(_ e: String) { lock.withLock { events.append(e) } }
        }
        let order = Order()
        let group = DispatchGroup()
        for (route, file) in [("/api/xrd/refine", "fits/lab6_bruker.yaml"), ("/api/pdf/fit", "fits/ni_pdfgetx3-lesson1.yaml")] {
            DispatchQueue.global().async(group: group) {
                let reply = try? http.post(route, ["file": file])
                order.add("\(route) \(reply?.status ?? 0)")
            }
        }
        usleep(150_000)
        let listing = try http.get("/api/files")
        order.add("/api/files \(listing.status)")
        group.wait()
        #expect(order.events.first == "/api/files 200", "\(order.events)")
        #expect(Set(order.events) == ["/api/files 200", "/api/xrd/refine 200", "/api/pdf/fit 200"], "\(order.events)")
        #expect(server.interrupt() == 0)
    }

    /// `/api/portals/search` against a loopback Zenodo answering with a recorded search
    /// (portals/zenodo/cldfzenodo-search_keyword.json): the records and the source's status, as the CLI.
    @Test func portalSearchThroughALoopbackPortal() async throws {
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        guard let recorded = SharedData.url("portals/zenodo/cldfzenodo-search_keyword.json") else { print(SharedData.missing("portals/zenodo")); return }
        let portal = try LoopbackServer { request in
            request.path == "/api/records" ? .json(file: recorded) : .notFound
        }
        defer { portal.stop() }
        let endpoint = "zenodo=\(portal.baseURL.absoluteString)/api"
        let server = try LiveServer(root: root, arguments: ["--endpoint", endpoint, "--timeout", "15"])
        let http = RawHTTP(host: server.host, port: server.port)
        let reply = try http.post("/api/portals/search", ["query": "phylogeny", "sources": ["zenodo"], "limit": 10])
        #expect(reply.status == 200, "\(reply.text.prefix(300))")
        let reports = try #require(reply.object["reports"] as? [[String: Any]])
        let zenodo = try #require(reports.first { $0["source"] as? String == "zenodo" }, "\(reports)")
        #expect(zenodo["status"] as? String == "answered" && zenodo["count"] as? Int == 10, "\(zenodo)")
        let records = try #require(reply.object["records"] as? [[String: Any]])
        #expect(records.count == 10)
        #expect(records.contains { $0["id"] as? String == "zenodo:8250015" && ($0["title"] as? String)?.hasPrefix("Phlorest phylogeny derived from Chang et al. 2015 'Ancestry-constrained") == true },
                "\(records.map { "\($0["id"] ?? "") \($0["title"] ?? "")" })")
        #expect(portal.requests.contains { $0.path == "/api/records" }, "\(portal.requests.map(\.target))")
        // The same records as `roentgen search --json` against the same portal.
        let cache = root.appendingPathComponent(".cache")
        let cli = try await RoentgenCLI.run(["search", "phylogeny", "--source", "zenodo", "--limit", "10", "--endpoint", endpoint, "--json"],
                                      environment: ["XDG_CACHE_HOME": cache.path, "ROENTGEN_CONFIG": cache.appendingPathComponent("none.yaml").path])
        let cliRecords = try #require((try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])?["records"] as? [[String: Any]], "\(cli.stderr.prefix(300))")
        #expect(cliRecords.map { $0["id"] as? String } == records.map { $0["id"] as? String })
        #expect(server.interrupt() == 0)
    }
}
