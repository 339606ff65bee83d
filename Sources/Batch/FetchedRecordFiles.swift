import Foundation
import Catalog
import XrayCore

/// A plan's `record:` input: the files `roentgen fetch RECORD` put in the download cache.
///
/// `roentgen fetch` keeps each file once, content-addressed (`files/sha256/ab/<sha256>`), with a
/// `<sha256>.provenance.json` beside it naming the source, the record id (`ixas:1`,
/// `zenodo:7085903`), the DOI and the file's name in the record (see `DownloadCache`). The input
/// expands to those files of the named record (by id, or by DOI), newest download of each name,
/// after re-hashing each file: a cached file whose bytes no longer match its SHA-256 is an error,
/// never an item. Items are named `<record>/<name>` (the shard key, the same on every machine
/// whatever the cache's location) and their outputs go under `<source>_<id>/<name>`.
struct FetchedRecordFiles {
    var cache: DownloadCache

    func items(_ spec: BatchInputSpec, plan: BatchPlan) throws -> [BatchItem] {
        let wanted = spec.path.trimmingCharacters(in: .whitespaces)
        let doi = DOI.normalise(wanted)
        var newest: [String: FetchProvenance] = [:]
        // `list()` is newest first: the first provenance of a name is its latest download.
        for p in cache.list() where p.recordID == wanted || (doi != nil && p.doi.flatMap(DOI.normalise) == doi) {
            if newest[p.name] == nil { newest[p.name] = p }
        }
        guard !newest.isEmpty else {
            throw RoentgenError(.notFound, "record '\(wanted)' has no fetched files in the download cache \(cache.root.path); "
                + "run `roentgen fetch \(wanted)` first", file: plan.file, line: spec.line)
        }
        let record = newest.values.first?.recordID ?? wanted
        let folder = record.replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: "/", with: "_")
        var out: [BatchItem] = []
        for (name, provenance) in newest.sorted(by: { $0.key < $1.key }) {
            let clean = name.split(separator: "/").map(String.init).filter { $0 != ".." && $0 != "." }.joined(separator: "/")
            guard BatchInputs.selected(clean, spec) else { continue }
            let path = cache.path(sha256: provenance.sha256).path
            let actual: String
            do { actual = try SHA256.hex(ofFileAt: URL(fileURLWithPath: path)) } catch {
                throw RoentgenError(.notFound, "file '\(name)' of record '\(record)' is listed in the download cache but its bytes are gone; "
                    + "run `roentgen fetch \(record)` again", file: plan.file, line: spec.line)
            }
            guard actual == provenance.sha256 else {
                throw RoentgenError(.integrity, "file '\(name)' of record '\(record)' no longer matches its SHA-256 in the download cache "
                    + "(\(path)); run `roentgen cache clean` and fetch it again", file: plan.file, line: spec.line)
            }
            out.append(BatchItem(id: "\(record)/\(clean)", name: "\(folder)/\(clean)",
                                 source: .fetched(path: path, record: record, name: clean)))
        }
        return out
    }
}
