import Foundation
import Testing
import TestSupport

/// `roentgen serve`'s JSON API against a live server on a loopback port.
@Suite(.serialized) struct ServerAPITests {
    /// The CLI run inside the workspace, for comparing its `--json` output with the API's bodies.
    func cli(_ args: [String], in root: URL) throws -> String {
        try runCapturing(RoentgenCLI.executable, args, in: root).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func everyDocumentedRouteAnswersAsDescribed() throws {
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        let server = try LiveServer(root: root, arguments: ["--endpoint", "zenodo=http://127.0.0.1:9/api", "--timeout", "3"])
        #expect(server.port > 0, "no URL printed: \(server.startupText)")
        let http = RawHTTP(host: server.host, port: server.port)
        let doc = try http.get("/api/openapi.json").object
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, ops) in paths { for method in ops.keys { documented.insert(method.uppercased() + " " + path) } }

        // One request per documented route: (method path) → (request target, body, expected status).
        let xas = "xas/xaslib/Fe_metal_rt_01.xdi"
        // A job for the job routes: fetch the server's own app.js over loopback into the workspace.
        let started = try http.post("/api/fetch", ["target": "\(server.url)app.js", "to": "fetched"])
        #expect(started.status == 202, "\(started.text)")
        let job = try #require(started.object["id"] as? String)
        var finished: [String: Any] = [:]
        for _ in 0..<200 {
            finished = try http.get("/api/jobs/\(job)").object
            if finished["status"] as? String != "running" { break }
            usleep(100_000)
        }
        #expect(finished["status"] as? String == "done", "\(finished)")
        #expect(finished["files"] as? [String] == ["fetched/app.js"])
        let fetched = try Data(contentsOf: root.appendingPathComponent("fetched/app.js"))
        #expect(fetched == (try http.get("/app.js")).body)

        let calls: [String: (String, String, [String: Any]?, Int)] = [
            "GET /api/openapi.json": ("GET", "/api/openapi.json", nil, 200),
            "GET /api/catalog/search": ("GET", "/api/catalog/search?q=arsenic%20XANES", nil, 200),
            "GET /api/catalog/records/{id}": ("GET", "/api/catalog/records/arsenic-minerals", nil, 200),
            "POST /api/portals/search": ("POST", "/api/portals/search", ["query": "calcite", "sources": ["zenodo"]], 200),
            "POST /api/fetch": ("POST", "/api/fetch", ["target": "\(server.url)favicon.svg", "to": "fetched"], 202),
            "GET /api/jobs/{id}": ("GET", "/api/jobs/\(job)", nil, 200),
            "GET /api/jobs/{id}/events": ("GET", "/api/jobs/\(job)/events", nil, 200),
            "DELETE /api/jobs/{id}": ("DELETE", "/api/jobs/\(job)", nil, 200),
            "GET /api/files": ("GET", "/api/files?dir=xas/xaslib", nil, 200),
            "GET /api/read": ("GET", "/api/read?path=\(xas)&points=200", nil, 200),
            "POST /api/xas/analyze": ("POST", "/api/xas/analyze", ["file": xas, "rbkg": 1.2, "kweight": 3], 200),
            "POST /api/xas/lcf": ("POST", "/api/xas/lcf", ["target": "xas/lcf/fe_mixture_synthetic.dat", "standards": [xas, "xas/xaslib/FeO_rt_01.xdi", "xas/xaslib/Fe2O3_rt_01.xdi"],
                                                     "sum_to_one": true, "range": "-40:100"], 200),
            "POST /api/xas/merge": ("POST", "/api/xas/merge", ["files": [xas, xas]], 200),
            "POST /api/xas/align": ("POST", "/api/xas/align", ["file": xas, "reference": xas], 200),
            "POST /api/xas/deglitch": ("POST", "/api/xas/deglitch", ["file": xas], 200),
            "POST /api/xrd/simulate": ("POST", "/api/xrd/simulate", ["cif": "xrd/cif/common/AMCSD_Rutile.cif", "wavelength": "1.54184"], 200),
            "POST /api/xrd/peaks": ("POST", "/api/xrd/peaks", ["file": "xrd/bruker_raw/LaB6_Jan2018.raw"], 200),
            "POST /api/xrd/identify": ("POST", "/api/xrd/identify", ["file": "xrd/text/xrd_autoanalyzer/Li2MnO3+MnO+TiO2.xy", "candidates": ["xrd/cif/xrd_autoanalyzer_refs"]], 200),
            "POST /api/pdf/reduce": ("POST", "/api/pdf/reduce", ["file": "xrd/pdf/pdfgetx3_Ni/ni300mesh_300k_nor_1-5.chi", "composition": "Ni",
                                                           "background": "xrd/pdf/pdfgetx3_Ni/kapton_bgrd_300k_nor_2-3.chi", "wavelength": "0.142774"], 200),
            "POST /api/pdf/simulate": ("POST", "/api/pdf/simulate", ["cif": "xrd/cif/common/AMCSD_Rutile.cif"], 200),
            "POST /api/pdf/fit": ("POST", "/api/pdf/fit", ["file": "fits/ni_pdfgetx3-lesson1.yaml"], 200),
            "POST /api/xas/fit": ("POST", "/api/xas/fit", ["file": "fits/cu_1shell.yaml"], 200),
            "POST /api/xrd/refine": ("POST", "/api/xrd/refine", ["file": "fits/lab6_bruker.yaml"], 200),
            "POST /api/integrate": ("POST", "/api/integrate", FitRouteTests.pixium, 200),
            "POST /api/calibrate": ("POST", "/api/calibrate", ["image": "images/Pilatus1M.edf", "calibrant": "AgBh", "poni": "images/Pilatus1M.poni",
                                                           "wavelength": 1.0326375318602659], 200),
            "GET /api/image": ("GET", "/api/image?path=images/pixium_03150.tif", nil, 200),
            "GET /api/image/pixels": ("GET", "/api/image/pixels?path=images/DLS_CeO2_1200mm.mask", nil, 200),
            "GET /api/geometry": ("GET", "/api/geometry?poni=images/Pilatus1M.poni", nil, 200),
            "GET /api/calibrant": ("GET", "/api/calibrant?name=LaB6", nil, 200),
            "POST /api/mask": ("POST", "/api/mask", ["output": "masks/one.edf", "shape": [2, 3], "runs": [1, 2]], 200),
        ]
        #expect(Set(calls.keys) == documented, "routes documented but not tested, or tested but not documented")
        var replies: [String: RawHTTP.Reply] = [:]
        for (key, call) in calls.sorted(by: { $0.key < $1.key }) {
            let body = try call.2.map { try JSONSerialization.data(withJSONObject: $0) }
            let reply = try http.request(call.0, call.1, body: body)
            replies[key] = reply
            #expect(reply.status == call.3, "\(key): \(reply.status) \(reply.text.prefix(300))")
            // The content type is the one the document gives for the success status.
            let method = try #require(paths[String(key.split(separator: " ")[1])]?[call.0.lowercased()] as? [String: Any])
            let responses = try #require(method["responses"] as? [String: Any])
            let success = try #require(responses[String(call.3)] as? [String: Any])
            let content = try #require(success["content"] as? [String: Any])
            #expect(content.keys.contains { reply.headers["content-type"]?.hasPrefix($0) == true }, "\(key): \(reply.headers["content-type"] ?? "")")
            if content.keys.contains("application/json") { #expect(reply.json != nil, "\(key) is not JSON") }
            #expect(reply.headers["content-security-policy"] == "default-src 'self'")
            #expect(reply.headers["access-control-allow-origin"] == nil)
        }

        // Bodies are the CLI's --json documents, byte for byte.
        #expect(replies["POST /api/xas/analyze"]?.text == (try cli(["xas", "analyze", xas, "--rbkg", "1.2", "--kweight", "3", "--json"], in: root)))
        #expect(replies["POST /api/xrd/simulate"]?.text == (try cli(["xrd", "simulate", "xrd/cif/common/AMCSD_Rutile.cif", "--wavelength", "1.54184", "--json"], in: root)))
        #expect(replies["POST /api/xrd/peaks"]?.text == (try cli(["xrd", "peaks", "xrd/bruker_raw/LaB6_Jan2018.raw", "--json"], in: root)))
        #expect(replies["GET /api/catalog/records/{id}"]?.text == (try cli(["sources", "show", "arsenic-minerals", "--json"], in: root)))
        let lcfCLI = try cli(["xas", "lcf", "xas/lcf/fe_mixture_synthetic.dat", "--standard", xas, "--standard", "xas/xaslib/FeO_rt_01.xdi",
                              "--standard", "xas/xaslib/Fe2O3_rt_01.xdi", "--sum-to-one", "--range", "-40:100", "--json"], in: root)
        #expect(replies["POST /api/xas/lcf"]?.text == lcfCLI)
        // The fits' bodies are the CLI's but for the wall time each reports (`seconds`).
        #expect(replies["POST /api/xas/fit"]?.text == (try cli(["xas", "fit", "fits/cu_1shell.yaml", "--json"], in: root)))
        #expect(FitRouteTests.timeless(replies["POST /api/pdf/fit"]?.text) == FitRouteTests.timeless(try cli(["pdf", "fit", "fits/ni_pdfgetx3-lesson1.yaml", "--json"], in: root)))
        #expect(FitRouteTests.timeless(replies["POST /api/xrd/refine"]?.text) == FitRouteTests.timeless(try cli(["xrd", "refine", "fits/lab6_bruker.yaml", "--json"], in: root)))
        #expect(replies["POST /api/integrate"]?.text == (try cli(FitRouteTests.pixiumCLI, in: root)))
        #expect(replies["POST /api/calibrate"]?.text == (try cli(["calibrate", "images/Pilatus1M.edf", "--calibrant", "AgBh", "--poni", "images/Pilatus1M.poni",
                                                                   "--wavelength", "1.0326375318602659", "--json"], in: root)))
        // The geometry CalibrationTests holds for this frame from the PONI: 1582.24 mm, the PONI file text with it.
        let calibrated = try #require(replies["POST /api/calibrate"]?.object)
        #expect(abs((calibrated["distance_m"] as? Double ?? 0) - 1.58224254) < 1e-6 && (calibrated["poni_text"] as? String)?.contains("Distance: 1.5822") == true,
                "\(calibrated["distance_m"] ?? "")")
        try FitRouteTests.expectAnchorValues(replies)

        // Real values: the README's LCF (synthetic mixture 0.2 / 0.3 / 0.5), Rutile's strongest line, the LaB6 peaks.
        let fit = try #require((replies["POST /api/xas/lcf"]?.object["fits"] as? [[String: Any]])?.first)
        let weights = try #require(fit["weights"] as? [Double])
        #expect(weights.count == 3 && abs(weights[0] - 0.1986) < 0.002 && abs(weights[1] - 0.2999) < 0.002 && abs(weights[2] - 0.5015) < 0.002, "\(weights)")
        let analysis = try #require(replies["POST /api/xas/analyze"]?.object)
        #expect(abs((analysis["e0"] as? Double ?? 0) - 7112) < 5)
        #expect((analysis["parameters"] as? [String: Any])?["rbkg"] as? Double == 1.2)
        let sticks = try #require(replies["POST /api/xrd/simulate"]?.object["peaks"] as? [[String: Any]])
        #expect(sticks.contains { abs(($0["two_theta"] as? Double ?? 0) - 27.459) < 0.01 && ($0["intensity"] as? Double ?? 0) > 99.9 })
        let phases = try #require(replies["POST /api/xrd/identify"]?.object["phases"] as? [[String: Any]])
        #expect(Set(phases.compactMap { ($0["candidate"] as? String).map { ($0 as NSString).lastPathComponent } }) == ["MnO_225.cif", "Li2MnO3_12.cif", "TiO2_141.cif"])

        // The read route decimates to at most the points asked, keeping the extremes.
        let read = try #require(replies["GET /api/read"]?.object["scans"] as? [[String: Any]])
        let columns = try #require(read.first?["columns"] as? [String: [Double?]])
        let full = try http.get("/api/read?path=\(xas)").object
        let fullColumns = try #require(((full["scans"] as? [[String: Any]])?.first?["columns"]) as? [String: [Double?]])
        for (name, values) in columns {
            #expect(values.count <= 200)
            let all = fullColumns[name]?.compactMap { $0 } ?? []
            #expect(values.compactMap { $0 }.max() == all.max() && values.compactMap { $0 }.min() == all.min(), "\(name)")
        }
        #expect((fullColumns.values.first?.count ?? 0) > 200)

        // Workspace listing: format, kind and summary per file; the symlink out of the root left out.
        let listing = try http.get("/api/files").object
        let entries = try #require(listing["entries"] as? [[String: Any]])
        #expect(!entries.contains { $0["name"] as? String == "escape" })
        #expect(entries.contains { $0["name"] as? String == "inside.xdi" && $0["format"] as? String == "xdi" && $0["kind"] as? String == "absorption" })
        let xaslib = try #require(replies["GET /api/files"]?.object["entries"] as? [[String: Any]])
        let fe = try #require(xaslib.first { $0["name"] as? String == "Fe_metal_rt_01.xdi" })
        #expect(fe["format"] as? String == "xdi" && (fe["summary"] as? String ?? "").contains("energy"), "\(fe)")

        // Portal search: the failing source is reported as such; SSE ends with the final state.
        let reports = try #require(replies["POST /api/portals/search"]?.object["reports"] as? [[String: Any]])
        #expect(reports.contains { $0["source"] as? String == "zenodo" && $0["status"] as? String == "failed" }, "\(reports)")
        let events = replies["GET /api/jobs/{id}/events"]?.text ?? ""
        #expect(events.contains("event: done") && events.contains("fetched/app.js"), "\(events)")

        // Cancel a running job: a job fetching its own event stream runs until it is cancelled.
        let last = try #require(replies["POST /api/fetch"]?.object["id"] as? String)
        let next = "job\((Int(last.dropFirst(3)) ?? 0) + 1)"
        let endless = try http.post("/api/fetch", ["target": "\(server.url)api/jobs/\(next)/events", "to": "fetched"])
        #expect(endless.object["id"] as? String == next && endless.object["status"] as? String == "running", "\(endless.text)")
        usleep(500_000)
        #expect(try http.get("/api/jobs/\(next)").object["status"] as? String == "running")
        let cancelled = try http.request("DELETE", "/api/jobs/\(next)")
        #expect(cancelled.status == 200 && cancelled.object["status"] as? String == "cancelled", "\(cancelled.text)")
        #expect(try http.get("/api/jobs/\(next)").object["status"] as? String == "cancelled")
        #expect(try http.get("/api/jobs/\(next)/events").text.contains("event: cancelled"))

        // Favicon and app.
        #expect(try http.get("/favicon.ico").status == 200)
        let page = try http.get("/")
        #expect(page.status == 200 && page.text.contains("<script src=\"/app.js\"") && !page.text.contains("<script>"))
        #expect(server.interrupt() == 0)
    }

    @Test func errorsTraversalAndLimits() throws {
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        let server = try LiveServer(root: root, arguments: ["--max-body", "65536"])
        let http = RawHTTP(host: server.host, port: server.port)
        func expectError(_ reply: RawHTTP.Reply, _ status: Int, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(reply.status == status, "\(what): \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
            let error = reply.object["error"] as? [String: Any]
            #expect(error != nil && Set(error?.keys.map { $0 } ?? []) == ["kind", "message", "file", "line"], "\(what): \(reply.text)", sourceLocation: sourceLocation)
            #expect(!reply.text.contains("Swift/") && !reply.text.contains(".swift:"), "\(what) leaks internals", sourceLocation: sourceLocation)
        }
        // Traversal: ../, percent-encoded, absolute, a symlink out of the root, in query and body.
        expectError(try http.get("/api/read?path=../../etc/passwd"), 400, "dot-dot")
        expectError(try http.get("/api/read?path=%2e%2e/%2e%2e/etc/passwd"), 400, "encoded dot-dot")
        expectError(try http.get("/api/read?path=%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"), 400, "encoded slashes")
        expectError(try http.get("/api/read?path=/etc/passwd"), 400, "absolute")
        expectError(try http.get("/api/read?path=escape/passwd"), 400, "symlink out")
        expectError(try http.get("/api/files?dir=escape"), 400, "listing through a symlink out")
        expectError(try http.get("/api/files?dir=.."), 400, "listing the parent")
        expectError(try http.post("/api/xas/analyze", ["file": "../\(root.lastPathComponent)/xas/xaslib/Fe_metal_rt_01.xdi"]), 400, "dot-dot in a body")
        expectError(try http.post("/api/xas/lcf", ["target": "xas/lcf/fe_mixture_synthetic.dat", "standards": ["/etc/passwd"]]), 400, "absolute standard")
        expectError(try http.post("/api/xrd/identify", ["file": "xrd/bruker_raw/LaB6_Jan2018.raw", "candidates": ["escape"]]), 400, "candidates through a symlink out")
        expectError(try http.post("/api/xrd/identify", ["file": "xrd/bruker_raw/LaB6_Jan2018.raw", "candidates": ["mixed"]]), 400, "a candidate folder holding a symlink out")
        expectError(try http.post("/api/fetch", ["target": "zenodo:1", "to": "../outside"]), 400, "fetch destination outside")
        let inside = try http.get("/api/read?path=inside.xdi")
        #expect(inside.status == 200, "a symlink staying inside the root is read")
        // Files a reader finds by itself stay inside the root too: an instrument file beside a
        // pattern, a virtual dataset's source file (also on the integration's own threads).
        let gsas = try http.get("/api/read?path=xrd/gsas/11bmb_8716.fxye")
        #expect(gsas.status == 200 && gsas.text.contains("11bmb_8716.prm beside the data was not used: it leads out of the served workspace")
                && !gsas.text.contains("instrument.ICONS"), "\(gsas.text.prefix(300))")
        let vds = try http.get("/api/read?path=h5/vds.h5")
        #expect(vds.status == 200 && vds.text.contains("vds_source.h5 lies outside the served workspace"), "\(vds.text.suffix(600))")
        let integrated = try http.post("/api/integrate", ["images": ["h5/vds.h5"], "dataset": "/entry/results/intensity", "poni": "images/DLS_CeO2_1200mm_pyFAI.poni"])
        #expect(integrated.status >= 400 && integrated.status < 500 && integrated.text.contains("outside the served workspace"), "\(integrated.status) \(integrated.text)")
        let staticTraversal = try http.get("/..%2f..%2fetc%2fpasswd")
        #expect(staticTraversal.status == 404 && !staticTraversal.text.contains("root:"))
        // Missing things: 404.
        expectError(try http.get("/api/read?path=nope.xdi"), 404, "missing file")
        expectError(try http.get("/api/nope"), 404, "unknown route")
        expectError(try http.get("/api/catalog/records/no-such-record"), 404, "unknown record")
        expectError(try http.get("/api/jobs/job999"), 404, "unknown job")
        expectError(try http.request("DELETE", "/api/jobs/job999"), 404, "cancel unknown job")
        // Malformed requests: 400.
        expectError(try http.request("POST", "/api/xas/analyze", body: Data("{not json".utf8)), 400, "bad JSON")
        expectError(try http.post("/api/xas/analyze", ["file": "xas/xaslib/Fe_metal_rt_01.xdi", "rbkgg": 1]), 400, "unknown parameter")
        expectError(try http.post("/api/xas/analyze", ["file": "xas/xaslib/Fe_metal_rt_01.xdi", "rbkg": "one"]), 400, "wrong type")
        expectError(try http.get("/api/read"), 400, "path missing")
        expectError(try http.get("/api/read?path=xas/xaslib/Fe_metal_rt_01.xdi&points=x"), 400, "points not a number")
        expectError(try http.request("PUT", "/api/xas/analyze", body: Data("{}".utf8)), 400, "wrong method")
        expectError(try http.get("/api/read?path=x.xdi", ), 404, "missing")
        // Requests the data cannot satisfy: 422, naming the file.
        let notXAS = try http.post("/api/xas/analyze", ["file": "xrd/cif/common/AMCSD_Rutile.cif"])
        expectError(notXAS, 422, "a CIF as a spectrum")
        #expect((notXAS.object["error"] as? [String: Any])?["file"] as? String == "xrd/cif/common/AMCSD_Rutile.cif")
        expectError(try http.post("/api/xas/analyze", ["file": "xas/xaslib/Fe_metal_rt_01.xdi", "window": "square"]), 422, "unknown window")
        expectError(try http.post("/api/xrd/simulate", ["cif": "xrd/cif/common/AMCSD_Rutile.cif", "wavelength": "XxKa"]), 422, "bad wavelength")
        expectError(try http.get("/api/read?path=xas/xaslib/Fe_metal_rt_01.xdi&points=100&columns=nope"), 422, "unknown column")
        // Body limit: by Content-Length and by the bytes sent.
        let big = Data(("{\"file\": \"" + String(repeating: "a", count: 70_000) + "\"}").utf8)
        expectError(try http.request("POST", "/api/xas/analyze", body: big), 413, "oversized body")
        // DNS rebinding: a foreign Host header is refused when no token guards the server.
        expectError(try http.request("GET", "/api/files", headers: ["Host": "evil.example:80"]), 400, "foreign Host")
        #expect(server.interrupt() == 0, "Ctrl-C stops the server cleanly")
    }

    @Test func beyondLoopbackEveryAPICallNeedsTheToken() throws {
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        // 127.0.0.2 is loopback to the kernel but not the default address: the server must ask for a token.
        let server = try LiveServer(root: root, arguments: ["--host", "127.0.0.2"])
        let token = try #require(server.token, "a token is generated and printed: \(server.startupText)")
        #expect(token.count == 32 && server.startupText.contains("#token=\(token)"))
        var http = RawHTTP(host: "127.0.0.2", port: server.port)
        #expect(try http.get("/").status == 200, "the app's files need no token")
        for target in ["/api/files", "/api/openapi.json", "/api/read?path=xas/xaslib/Fe_metal_rt_01.xdi", "/api/catalog/search?q=xas"] {
            let missing = try http.get(target)
            #expect(missing.status == 401 && missing.errorKind == "unauthorized", "\(target) without token: \(missing.status)")
        }
        #expect(try http.post("/api/xas/analyze", ["file": "xas/xaslib/Fe_metal_rt_01.xdi"]).status == 401)
        http.token = "0123456789abcdef0123456789abcdef"
        #expect(try http.get("/api/files").status == 401, "wrong token")
        http.token = token
        #expect(try http.get("/api/files").status == 200)
        #expect(try http.post("/api/xas/analyze", ["file": "xas/xaslib/Fe_metal_rt_01.xdi"]).status == 200)
        http.token = nil
        #expect(try http.get("/api/files?token=\(token)").status == 200, "the query form, for EventSource")
        #expect(server.interrupt() == 0)

        // A given token is used as is.
        let given = try LiveServer(root: root, arguments: ["--host", "127.0.0.2", "--token", "s3cret-token-123"])
        #expect(given.token == "s3cret-token-123")
        #expect(try RawHTTP(host: "127.0.0.2", port: given.port, token: "s3cret-token-123").get("/api/files").status == 200)
        #expect(given.interrupt() == 0)
    }
}
