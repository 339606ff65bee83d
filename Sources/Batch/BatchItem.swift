import Foundation
import XrayCore
import XrayFormats
import Catalog

/// One unit of work: a file, or one entry of an archive.
public struct BatchItem: Sendable, Hashable, Comparable {
    public enum Source: Sendable, Hashable {
        /// A file (absolute path).
        case file(String)
        /// An entry of a zip or tar archive (absolute path of the archive, entry path inside).
        case member(archive: String, entry: String)
        /// A file of a fetched record in the download cache (absolute path of the cached bytes,
        /// the record id and the file's name in the record, whose suffix helps format detection).
        case fetched(path: String, record: String, name: String)
    }

    /// The item's path relative to the plan's folder (`data/a.xy`, `set.zip!/b/c.xy`): what its
    /// shard is chosen by and results are sorted by, the same on every machine with the same layout.
    public var id: String
    /// Its path relative to the input that named it (`a.xy`, `set/b/c.xy`): where its outputs go.
    public var name: String
    public var source: Source

    public static func < (a: BatchItem, b: BatchItem) -> Bool { a.id < b.id }

    /// Where messages about the item point.
    public var location: String {
        switch source {
        case .file(let path): return path
        case .member(let archive, let entry): return "\(archive)!/\(entry)"
        case .fetched(_, let record, let name): return "\(record)/\(name)"
        }
    }

    /// The item's bytes.
    public func data() throws -> Data {
        switch source {
        case .file(let path), .fetched(let path, _, _):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RoentgenError(.io, FileManager.default.fileExists(atPath: path) ? "file is not readable" : "no such file", file: path)
            }
            return data
        case .member(let archive, let entry):
            return try ArchiveMembers.open(try BatchItem(id: "", name: "", source: .file(archive)).data(), file: archive).data(entry)
        }
    }

    /// The item read by the format registry (a GSAS file finds its instrument file beside it;
    /// `instrument` names one explicitly).
    /// `plausibility: false` skips the value-plausibility warnings (see `FormatRegistry.read`).
    public func read(instrument: URL? = nil, plausibility: Bool = true) throws -> DataFile {
        switch source {
        case .file(let path): return try FormatRegistry.read(URL(fileURLWithPath: path), instrument: instrument, plausibility: plausibility)
        case .member, .fetched: return try FormatRegistry.read(try data(), file: location, plausibility: plausibility)
        }
    }

    /// SHA-256 (hex) of the item's bytes.
    public func sha256() throws -> String {
        switch source {
        case .file(let path), .fetched(let path, _, _):
            do { return try SHA256.hex(ofFileAt: URL(fileURLWithPath: path)) } catch {
                throw RoentgenError(.io, "cannot read: \(error.localizedDescription)", file: path)
            }
        case .member: return SHA256.hex(try data())
        }
    }
}

/// Expands a plan's inputs into its items.
public enum BatchInputs {
    /// Every item of `plan`, sorted by id, each once. An input that names nothing that exists is
    /// an error naming the plan's line.
    public static func items(of plan: BatchPlan) throws -> [BatchItem] {
        let cache = DownloadCache(root: plan.downloadCache ?? DownloadCache.defaultRoot())
        var byID: [String: BatchItem] = [:]
        var names: [String: String] = [:]
        for spec in plan.inputs {
            for item in try expand(spec, plan: plan, cache: cache) {
                if let other = names[item.name], other != item.id {
                    throw RoentgenError(.badParameter, "two inputs give the same output name '\(item.name)' (\(other) and \(item.id)); name their folders apart",
                                        file: plan.file, line: spec.line)
                }
                names[item.name] = item.id
                byID[item.id] = item
            }
        }
        return byID.values.sorted()
    }

    static func absolute(_ path: String, base: URL) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// `path` relative to the folder `base` (both absolute), with `..` where it lies outside.
    static func relative(_ path: String, to base: String) -> String {
        let p = path.split(separator: "/"), b = base.split(separator: "/")
        var common = 0
        while common < p.count, common < b.count, p[common] == b[common] { common += 1 }
        return (Array(repeating: "..", count: b.count - common) + p[common...].map(String.init)).joined(separator: "/")
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Regular files below `folder` (relative paths, sorted), hidden files and folders left out.
    static func files(under folder: String, recursive: Bool) -> [String] {
        var out: [String] = []
        func walk(_ rel: String) {
            let dir = rel.isEmpty ? folder : folder + "/" + rel
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let r = rel.isEmpty ? name : rel + "/" + name
                if isFolder(folder + "/" + r) {
                    if recursive { walk(r) }
                } else {
                    out.append(r)
                }
            }
        }
        walk("")
        return out
    }

    static func selected(_ rel: String, _ spec: BatchInputSpec) -> Bool {
        if !spec.include.isEmpty && !spec.include.contains(where: { PathPattern($0).matches(rel) }) { return false }
        return !spec.exclude.contains { PathPattern($0).matches(rel) }
    }

    static func expand(_ spec: BatchInputSpec, plan: BatchPlan, cache: DownloadCache) throws -> [BatchItem] {
        let base = plan.base.standardizedFileURL.path
        let path = absolute(spec.path, base: plan.base)
        func missing(_ what: String) -> RoentgenError {
            RoentgenError(.notFound, "input \(spec.kind.rawValue) '\(spec.path)' \(what) (looked for \(path))", file: plan.file, line: spec.line)
        }
        func file(_ abs: String, name: String) -> BatchItem {
            BatchItem(id: relative(abs, to: base), name: name, source: .file(abs))
        }
        switch spec.kind {
        case .folder:
            guard isFolder(path) else { throw missing("is not a folder") }
            return files(under: path, recursive: spec.recursive).filter { selected($0, spec) }.map { file(path + "/" + $0, name: $0) }
        case .glob:
            let prefix = PathPattern.fixedPrefix(spec.path)
            let root = absolute(prefix.isEmpty ? "." : prefix, base: plan.base)
            guard isFolder(root) else { throw missing("starts in a folder that does not exist") }
            let pattern = PathPattern(String(spec.path.dropFirst(prefix.isEmpty ? 0 : prefix.count + 1)), anchored: true)
            return files(under: root, recursive: true).filter { pattern.matches($0) && selected($0, spec) }.map { file(root + "/" + $0, name: $0) }
        case .archive:
            guard FileManager.default.fileExists(atPath: path) else { throw missing("does not exist") }
            let archive = try ArchiveMembers.open(try BatchItem(id: "", name: "", source: .file(path)).data(), file: path)
            let stem = URL(fileURLWithPath: path).lastPathComponent
            return archive.paths.filter { selected($0, spec) }.map { entry in
                BatchItem(id: relative(path, to: base) + "!/" + entry, name: stem + "/" + entry, source: .member(archive: path, entry: entry))
            }
        case .manifest:
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { throw missing("is not a readable text file") }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            var out: [BatchItem] = []
            for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                guard !line.isEmpty, !line.hasPrefix("#") else { continue }
                let abs = absolute(line, base: folder)
                guard FileManager.default.fileExists(atPath: abs), !isFolder(abs) else {
                    throw RoentgenError(.notFound, "manifest names '\(line)', which is not a file (looked for \(abs))", file: path, line: n + 1)
                }
                let rel = relative(abs, to: folder.standardizedFileURL.path)
                if selected(rel, spec) { out.append(file(abs, name: rel)) }
            }
            return out
        case .file:
            if isFolder(path) {
                return try expand(BatchInputSpec(kind: .folder, path: spec.path, include: spec.include, exclude: spec.exclude,
                                                 recursive: spec.recursive, line: spec.line), plan: plan, cache: cache)
            }
            guard FileManager.default.fileExists(atPath: path) else { throw missing("does not exist") }
            return [file(path, name: URL(fileURLWithPath: path).lastPathComponent)]
        case .record:
            return try FetchedRecordFiles(cache: cache).items(spec, plan: plan)
        }
    }
}
