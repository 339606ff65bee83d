import Catalog
import Foundation
import Integration
import RoentgenOperations
import XrayCore
import XrayFormats

/// The JSON API: every route, its OpenAPI description and its handler. The bodies are the CLI's
/// `--json` documents, built by the same library code (`RoentgenOperations`).
public struct ServerAPI: Sendable {
    public let workspace: Workspace
    public let sources: SourceSet
    public let timeout: Double
    public let jobs = FetchJobs()
    let catalog: CatalogIndex

    public init(workspace: Workspace, sources: SourceSet, timeout: Double) throws {
        self.workspace = workspace
        self.sources = sources
        self.timeout = timeout
        self.catalog = try CatalogIndex(files: .embedded)
    }

    /// A body-decoding failure is the client's mistake: 400.
    static func decode<R: OperationRequest>(_ type: R.Type, _ body: Data) throws -> R {
        do { return try R.decode(body) } catch let error as RoentgenError {
            throw APIError(400, "badRequest", error.message)
        }
    }

    /// A POST route running one operation on a JSON body whose file fields are resolved inside the workspace.
    func operation<R: OperationRequest>(_ path: String, _ summary: String, _ type: R.Type, errors: [Int] = [400, 404, 422],
                                        resolve: @escaping @Sendable (inout R, Workspace) throws -> Void,
                                        run: @escaping @Sendable (R) async throws -> Data) -> APIRoute {
        let workspace = self.workspace
        return APIRoute(method: "POST", path: path, summary: summary, body: { R.schema }, errors: errors) { request in
            var r = try Self.decode(R.self, request.body)
            try resolve(&r, workspace)
            return .json(try await run(r))
        }
    }

    /// Runs a long computation (a fit, an integration) on a thread of its own, so the cooperative
    /// pool that answers the other requests stays free while it runs.
    /// The caller's `ReadConfinement` goes with it.
    static func offPool<T>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let confinement = ReadConfinement.root
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<UnsafeTransfer<T>, any Error>) in
            DispatchQueue.global(qos: .userInitiated).async {
                do { continuation.resume(returning: UnsafeTransfer(value: try ReadConfinement.with(confinement, work))) } catch { continuation.resume(throwing: error) }
            }
        }.value
    }

    /// Hands a value computed on another thread back to the awaiting task (it is not used there again).
    struct UnsafeTransfer<T>: @unchecked Sendable { var value: T }

    /// Every route, in the order the OpenAPI document lists them.
    public var routes: [APIRoute] {
        let ws = workspace
        var routes: [APIRoute] = []
        routes.append(APIRoute(method: "GET", path: "/api/openapi.json", summary: "This OpenAPI 3.1 document.", errors: [],
                               success: (200, "the OpenAPI document", "application/json")) { _ in
            .json(try JSONDocument.object(OpenAPIDocument.build(self.routes)))
        })
        // Catalog
        routes.append(APIRoute(method: "GET", path: "/api/catalog/search", summary: "Ranked search of the curated catalog (`roentgen sources --json`).",
                               query: [.init(name: "q", description: "words to search for; none lists every record"),
                                       .init(name: "technique", description: "PaNET technique or a narrower one (XAS, XRD …)"),
                                       .init(name: "kind", description: "kind of source (facility, portal, dataset …)")], errors: [422]) { request in
            let hits = try CatalogOperations.searchCatalog(self.catalog, text: request.query["q"] ?? "", technique: request.query["technique"].flatMap { $0.isEmpty ? nil : $0 },
                                                           kind: request.query["kind"].flatMap { $0.isEmpty ? nil : $0 })
            return .json(try JSONDocument.encode(hits))
        })
        routes.append(APIRoute(method: "GET", path: "/api/catalog/records/{id}", summary: "One catalog record with its relations (`roentgen sources show ID --json`).",
                               errors: [404]) { request in
            .json(try JSONDocument.encode(try CatalogOperations.showRecord(self.catalog, id: request.pathParameters["id"] ?? "").record))
        })
        // Portals and fetch
        routes.append(operation("/api/portals/search", "Search the portals at once; each source's status (`roentgen search --json`).",
                                CatalogOperations.PortalSearchRequest.self, resolve: { _, _ in }) { r in
            try JSONDocument.encode(try await CatalogOperations.searchPortals(r, sources: self.sources, timeout: self.timeout))
        })
        routes.append(APIRoute(method: "POST", path: "/api/fetch", summary: "Start fetching a dataset (DOI, URL or SOURCE:ID) into a workspace folder; a job.",
                               body: { FetchRequest.schema }, errors: [400, 404], success: (202, "the job: {id, status, …}", "application/json")) { request in
            let r = try Self.decode(FetchRequest.self, request.body)
            guard !r.target.isEmpty else { throw APIError(400, "badRequest", "'target' is required") }
            let folder = try ws.writableFolder(r.to)
            let fetcher = Fetcher(sources: self.sources, cache: DownloadCache(timeout: self.timeout))
            let id = self.jobs.start(target: r.target, only: r.only, folder: folder, workspace: ws, fetcher: fetcher)
            return .json(try JSONDocument.encode(self.jobs.job(id)), status: 202)
        })
        routes.append(APIRoute(method: "GET", path: "/api/jobs/{id}", summary: "A fetch job's state: status, file, bytes received and total, delivered files.",
                               errors: [404]) { request in
            guard let job = self.jobs.job(request.pathParameters["id"] ?? "") else { throw APIError(404, "notFound", "no such job") }
            return .json(try JSONDocument.encode(job))
        })
        routes.append(APIRoute(method: "GET", path: "/api/jobs/{id}/events", summary: "A fetch job's progress as Server-Sent Events (`progress`, then `done`, `failed` or `cancelled`).",
                               query: [.init(name: "token", description: "the token, for clients (EventSource) that cannot send a header")],
                               errors: [404], success: (200, "event stream, each event's data a job object", "text/event-stream")) { request in
            let id = request.pathParameters["id"] ?? ""
            guard self.jobs.job(id) != nil else { throw APIError(404, "notFound", "no such job") }
            let jobs = self.jobs
            return .events { send in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                while true {
                    guard let job = jobs.job(id) else { return }
                    let data = String(decoding: (try? encoder.encode(job)) ?? Data(), as: UTF8.self)
                    let event = job.status == "running" ? "progress" : job.status
                    try await send("event: \(event)\ndata: \(data)\n\n")
                    if job.status != "running" { return }
                    try await Task.sleep(nanoseconds: 150_000_000)
                }
            }
        })
        routes.append(APIRoute(method: "DELETE", path: "/api/jobs/{id}", summary: "Cancel a fetch job.", errors: [404]) { request in
            guard let job = self.jobs.cancel(request.pathParameters["id"] ?? "") else { throw APIError(404, "notFound", "no such job") }
            return .json(try JSONDocument.encode(job))
        })
        // Workspace and reading
        routes.append(APIRoute(method: "GET", path: "/api/files", summary: "The files of one workspace folder with detected format, kind and a one-line summary.",
                               query: [.init(name: "dir", description: "folder relative to the root (default: the root)")], errors: [400, 404]) { request in
            let dir = try ws.resolve(request.query["dir"] ?? "")
            guard ws.isFolder(dir) else { throw APIError(400, "badRequest", "'\(dir)' is not a folder") }
            return .json(try JSONDocument.encode(Listing(dir: dir, entries: try self.list(dir))))
        })
        routes.append(APIRoute(method: "GET", path: "/api/read", summary: "Any file → scans and columns (`roentgen read --json`); `points` min/max-decimates for plotting.",
                               query: [.init(name: "path", description: "file relative to the root", required: true),
                                       .init(name: "group", description: "one scan / group / structure"),
                                       .init(name: "points", description: "decimate each scan to at most this many rows (min/max per run)", type: "integer"),
                                       .init(name: "columns", description: "comma-separated columns to keep besides the first")], errors: [400, 404, 422]) { request in
            guard let given = request.query["path"], !given.isEmpty else { throw APIError(400, "badRequest", "'path' is required") }
            let path = try ws.resolve(given)
            if ws.isFolder(path) { throw APIError(400, "badRequest", "'\(path)' is a folder; list it with /api/files?dir=") }
            var data = try ReadOperation.read(path, group: request.query["group"].flatMap { $0.isEmpty ? nil : $0 })
            if let text = request.query["points"] {
                guard let points = Int(text) else { throw APIError(400, "badRequest", "'points' must be an integer, got '\(text)'") }
                let columns = request.query["columns"].map { $0.split(separator: ",").map { String($0) } }
                data = try ReadOperation.decimated(data, points: points, columns: columns)
            }
            return .json(Data(DataFileJSON.encode(data).utf8))
        })
        // Detector images for the viewer: one frame's description, its pixels, a PONI, a calibrant's rings.
        let frameQuery: [APIRoute.QueryParameter] = [
            .init(name: "path", description: "image file relative to the root", required: true),
            .init(name: "dataset", description: "HDF5 dataset of the frames (default: the NXdata signal or the only image dataset)"),
            .init(name: "frame", description: "frame number from 0 (default 0)", type: "integer")]
        routes.append(APIRoute(method: "GET", path: "/api/image", summary: "One frame of a detector image described: shape, type, statistics, a display range (0.5th–99.8th percentile of the valid pixels), the header's geometry, and how /api/image/pixels sends it.",
                               query: frameQuery, errors: [400, 404, 422]) { request in
            let (path, dataset, frame) = try self.frameRequest(request)
            return .json(try await Self.offPool { try JSONDocument.encode(ImageDisplay.describe(try ImageDisplay.frame(path, dataset: dataset, frame: frame))) })
        })
        routes.append(APIRoute(method: "GET", path: "/api/image/pixels", summary: "One frame's pixels, row-major little-endian float32 (float64 where float32 would not hold every value exactly); headers X-Image-Shape (rows,columns) and X-Pixel-Encoding.",
                               query: frameQuery + [.init(name: "mask", description: "true: the file read as --mask reads it (an HDF5/NeXus file's NXdetector pixel_mask)", type: "boolean")], errors: [400, 404, 422], success: (200, "the pixels", "application/octet-stream")) { request in
            let (path, dataset, frame) = try self.frameRequest(request)
            let asMask = ["1", "true"].contains(request.query["mask"]?.lowercased() ?? "")
            let (data, encoding, shape) = try await Self.offPool { () -> (Data, String, String) in
                let f = try ImageDisplay.frame(path, dataset: dataset, frame: frame, asMask: asMask)
                return (ImageDisplay.pixels(f), f.encoding.rawValue, "\(f.template.rows),\(f.template.columns)")
            }
            return .binary(data, contentType: "application/octet-stream", headers: ["X-Image-Shape": shape, "X-Pixel-Encoding": encoding])
        })
        routes.append(APIRoute(method: "GET", path: "/api/geometry", summary: "A PONI file's geometry (SI units, radians), in Fit2D's terms too.",
                               query: [.init(name: "poni", description: "PONI file relative to the root", required: true)], errors: [400, 404, 422]) { request in
            guard let given = request.query["poni"], !given.isEmpty else { throw APIError(400, "badRequest", "'poni' is required") }
            return .json(try JSONDocument.encode(try GeometryDescription.geometry(try ws.resolve(given))))
        })
        routes.append(APIRoute(method: "GET", path: "/api/calibrant", summary: "A calibrant's ring d-spacings (Å): a built-in name (CeO2, LaB6, Si, AgBh) or a .D file.",
                               query: [.init(name: "name", description: "CeO2, LaB6, Si, AgBh, or a .D file relative to the root", required: true)], errors: [400, 404, 422]) { request in
            guard let given = request.query["name"], !given.isEmpty else { throw APIError(400, "badRequest", "'name' is required") }
            var name = given
            if !CalibrateOperations.isBuiltInCalibrant(given) {
                do { name = try ws.resolve(given) } catch let e as RoentgenError where e.kind == .notFound {
                    throw RoentgenError.badParameter("calibrant '\(given)': not a built-in calibrant (\(Calibrant.builtInNames.joined(separator: ", "))) and no such file in the workspace")
                }
            }
            return .json(try JSONDocument.encode(try GeometryDescription.calibrant(name)))
        })
        // XAS
        routes.append(operation("/api/xas/analyze", "Normalise, AUTOBK and Fourier-transform one spectrum with every parameter (`roentgen xas analyze --json`).",
                                XASOperations.AnalyzeRequest.self, resolve: { r, w in r.file = try w.resolve(r.file) }) { r in
            try JSONDocument.encode(try XASOperations.analyze(r).report)
        })
        routes.append(operation("/api/xas/lcf", "Linear combination fit with standards (`roentgen xas lcf --json`).",
                                XASOperations.LCFRequest.self, resolve: { r, w in
                                    r.target = try w.resolveWithGroup(r.target); r.standards = try r.standards.map(w.resolveWithGroup) }) { r in
            try JSONDocument.encode(try XASOperations.lcf(r))
        })
        routes.append(operation("/api/xas/fit", "Fit FEFF paths to χ(k) from a fit file, as Larch's feffit (`roentgen xas fit --json`); runs off the request threads.",
                                FeffitOperations.FitRequest.self, resolve: { r, w in r.file = try w.resolve(r.file) }) { r in
            try await Self.offPool { try JSONDocument.encode(try FeffitOperations.fit(r, check: ws.checkInput).json) }
        })
        routes.append(operation("/api/xas/merge", "Average scans on the first scan's grid (`roentgen xas merge --json`).",
                                XASOperations.MergeRequest.self, resolve: { r, w in r.files = try r.files.map(w.resolveWithGroup) }) { r in
            try JSONDocument.encode(try XASOperations.merge(r))
        })
        routes.append(operation("/api/xas/align", "Energy shift aligning a scan to a reference (`roentgen xas align --json`).",
                                XASOperations.AlignRequest.self, resolve: { r, w in
                                    r.file = try w.resolveWithGroup(r.file); r.reference = try w.resolveWithGroup(r.reference) }) { r in
            try JSONDocument.encode(try XASOperations.align(r).json)
        })
        routes.append(operation("/api/xas/deglitch", "Remove single-point glitches (`roentgen xas deglitch --json`).",
                                XASOperations.DeglitchRequest.self, resolve: { r, w in r.file = try w.resolveWithGroup(r.file) }) { r in
            try JSONDocument.encode(try XASOperations.deglitch(r))
        })
        // Diffraction and PDF
        routes.append(operation("/api/xrd/simulate", "Powder pattern of a CIF (`roentgen xrd simulate --json`).",
                                XRDOperations.SimulateRequest.self, resolve: { r, w in r.cif = try w.resolve(r.cif) }) { r in
            try JSONDocument.object(try XRDOperations.simulate(r).json)
        })
        routes.append(operation("/api/xrd/peaks", "Find and fit the peaks of a pattern (`roentgen xrd peaks --json`).",
                                XRDOperations.PeaksRequest.self, resolve: { r, w in r.file = try w.resolve(r.file) }) { r in
            try JSONDocument.object(try XRDOperations.peaks(r).json)
        })
        routes.append(operation("/api/xrd/identify", "Rank candidate phases (CIFs, folders) against a pattern (`roentgen xrd identify --json`).",
                                XRDOperations.IdentifyRequest.self, resolve: { r, w in
                                    r.file = try w.resolve(r.file); r.candidates = try r.candidates.map(w.resolveFolderOrFile) }) { r in
            try JSONDocument.object(try XRDOperations.identify(r).json)
        })
        routes.append(operation("/api/xrd/refine", "Rietveld refinement and weight fractions from a refinement file, or a pattern with phase CIFs (`roentgen xrd refine --json`); runs off the request threads.",
                                RietveldOperations.RefineRequest.self, resolve: { r, w in
                                    r.file = try w.resolve(r.file); r.phases = try r.phases.map(w.resolve); r.instrument = try r.instrument.map(w.resolve) }) { r in
            try await Self.offPool {
                let setup = try RietveldOperations.setup(r, check: ws.checkInput)
                return try JSONDocument.object(try RietveldOperations.refine(setup, file: r.file).json)
            }
        })
        routes.append(operation("/api/pdf/reduce", "G(r) from a measured pattern (`roentgen pdf reduce --json`).",
                                PDFOperations.ReduceRequest.self, resolve: { r, w in
                                    r.file = try w.resolve(r.file); r.background = try r.background.map(w.resolve) }) { r in
            try JSONDocument.object(try PDFOperations.reduce(r).json)
        })
        routes.append(operation("/api/pdf/simulate", "G(r) of a CIF (`roentgen pdf simulate --json`).",
                                PDFOperations.SimulateRequest.self, resolve: { r, w in r.cif = try w.resolve(r.cif) }) { r in
            try JSONDocument.object(try PDFOperations.simulate(r).json)
        })
        routes.append(operation("/api/pdf/fit", "Refine structure models against G(r) from a fit file, or a G(r) file with a phase and qmax (`roentgen pdf fit --json`); runs off the request threads.",
                                PDFFitOperations.FitRequest.self, resolve: { r, w in r.file = try w.resolve(r.file); r.phase = try r.phase.map(w.resolve) }) { r in
            try await Self.offPool { try JSONDocument.object(try PDFFitOperations.fit(try PDFFitOperations.load(r, check: ws.checkInput)).json) }
        })
        // Detector images
        routes.append(operation("/api/integrate", "Azimuthal integration of detector images with a PONI geometry (`roentgen integrate --json`; several frames give an array; `output` writes one pattern into the workspace as -o does); runs off the request threads.",
                                IntegrateOperations.Request.self, errors: [400, 404, 409, 422], resolve: { r, w in
                                    r.images = try r.images.map(w.resolve)
                                    r.poni = r.poni.isEmpty && !r.ponis.isEmpty ? "" : try w.resolve(r.poni)
                                    r.ponis = try r.ponis.map(w.resolve)
                                    r.mask = try r.mask.map(w.resolve); r.dark = try r.dark.map(w.resolve); r.flat = try r.flat.map(w.resolve)
                                    let replace = r.overwrite
                                    r.output = try r.output.map { try w.writableFile($0, replacing: replace) }
                                    r.spline = try r.spline.map { $0.lowercased() == "none" ? $0 : try w.resolve($0) } }) { r in
            try await Self.offPool { try IntegrateOperations.json(r) }
        })
        var mask = APIRoute(method: "POST", path: "/api/mask", summary: "Write a mask drawn over an image as an EDF file in the workspace (1 = masked; what --mask reads): {output, shape: [rows, columns], runs: [start, length, …] of row-major indices}. Bodies up to 64 MiB.",
                            body: { MaskOperations.Request.schema }, errors: [400, 409, 413, 422]) { request in
            var r = try Self.decode(MaskOperations.Request.self, request.body)
            guard !r.output.isEmpty else { throw APIError(400, "badRequest", "'output' is required") }
            r.output = try ws.writableFile(r.output, replacing: r.overwrite)
            let checked = r
            let written = try await Self.offPool { try MaskOperations.write(checked) }
            return .json(try JSONDocument.encode(written))
        }
        mask.maxBody = 64 << 20
        routes.append(mask)
        routes.append(operation("/api/calibrate", "Detector geometry refined from calibrant rings, from a PONI, a rough start or none (`roentgen calibrate --json`; `poni_text` holds the PONI file, `output` writes it into the workspace); runs off the request threads.",
                                CalibrateOperations.Request.self, errors: [400, 404, 409, 422], resolve: { r, w in
                                    r.image = try w.resolve(r.image); r.poni = try r.poni.map(w.resolve); r.mask = try r.mask.map(w.resolve)
                                    r.controlPoints = try r.controlPoints.map(w.resolve)
                                    let replace = r.overwrite
                                    r.output = try r.output.map { try w.writableFile($0, replacing: replace) }
                                    r.spline = try r.spline.map { $0.lowercased() == "none" ? $0 : try w.resolve($0) }
                                    // A calibrant is a name (AgBh …) or a .D file in the workspace.
                                    if !CalibrateOperations.isBuiltInCalibrant(r.calibrant) { r.calibrant = try w.resolve(r.calibrant) } }) { r in
            try await Self.offPool { try CalibrateOperations.json(try CalibrateOperations.run(r)) }
        })
        // Every handler runs confined to the workspace: files the readers find by themselves (an
        // instrument file beside a pattern, HDF5 external links and virtual-dataset sources) must
        // lie inside it too.
        let root = ws.root.path
        return routes.map { route in
            var confined = route
            let handler = route.handler
            confined.handler = { request in try await ReadConfinement.$root.withValue(root) { try await handler(request) } }
            return confined
        }
    }

    /// The image, dataset and frame of an `/api/image` request, the path checked against the workspace.
    func frameRequest(_ request: APIRequest) throws -> (String, String?, Int) {
        guard let given = request.query["path"], !given.isEmpty else { throw APIError(400, "badRequest", "'path' is required") }
        let path = try workspace.resolve(given)
        if workspace.isFolder(path) { throw APIError(400, "badRequest", "'\(path)' is a folder") }
        var frame = 0
        if let text = request.query["frame"], !text.isEmpty {
            guard let k = Int(text) else { throw APIError(400, "badRequest", "'frame' must be an integer, got '\(text)'") }
            frame = k
        }
        return (path, request.query["dataset"].flatMap { $0.isEmpty ? nil : $0 }, frame)
    }

    /// `POST /api/fetch`'s body.
    struct FetchRequest: OperationRequest {
        var target = ""
        var only: String?
        /// Workspace folder the files are delivered to.
        var to = "fetched"
        static var defaults: FetchRequest { FetchRequest() }
    }

    struct Listing: Codable, Sendable {
        var dir: String
        var entries: [WorkspaceListing.Entry]
    }

    /// The entries of a workspace folder: sub-folders first, then files by name; hidden files left out,
    /// symbolic links leading out of the root left out.
    func list(_ dir: String) throws -> [WorkspaceListing.Entry] {
        let folder = dir == "." ? workspace.root : workspace.root.appendingPathComponent(dir)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        var folders: [WorkspaceListing.Entry] = [], files: [WorkspaceListing.Entry] = []
        for name in names {
            let relative = dir == "." ? name : dir + "/" + name
            guard let resolved = try? workspace.resolve(relative) else { continue }
            if workspace.isFolder(resolved) {
                folders.append(.init(path: resolved, name: name, kind: "folder", format: nil, size: nil, summary: ""))
            } else {
                files.append(WorkspaceListing.entry(workspace.root.appendingPathComponent(resolved), relative: resolved))
            }
        }
        return folders + files
    }
}
