import Foundation
import XrayCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of a shard, reported after every item (and once at the start).
public struct BatchProgress: Sendable, Codable {
    public var event = "progress"
    /// `i/N`.
    public var shard: String
    /// Items of this shard finished so far (done earlier, ok or failed now).
    public var done: Int
    public var total: Int
    public var ok: Int
    public var failed: Int
    /// Items skipped because an earlier run did them.
    public var skipped: Int
    /// The item just finished.
    public var item: String?
    public var elapsed: Double
}

/// What a shard run did.
public struct BatchRunReport: Sendable, Codable {
    public var shard: String
    public var origin: String
    /// Items of the whole plan, and of this shard.
    public var planItems: Int
    public var items: Int
    public var skipped: Int
    public var ok: Int
    public var failed: Int
    /// Records dropped on resume: written by a process killed before their log line.
    public var orphansDropped: Int
    /// Half-written files removed on resume (left by a process killed while writing).
    public var temporariesRemoved: Int?
    public var seconds: Double
    public var folder: String
}

/// Runs one shard of a plan into a run folder: `RUN/outputs/…` (the files the step writes),
/// `RUN/shards/NNNNN-of-NNNNN/` (records, done-log, manifest).
public enum BatchRunner {
    /// Output stems for every item (`bruker_raw/BT86` for `bruker_raw/BT86.raw`): the name
    /// without its suffix, or with it where two items would share a stem (`a.raw` and `a.xy`).
    /// Computed over the whole plan, so every shard agrees.
    public static func stems(_ items: [BatchItem]) -> [String: String] {
        func strip(_ name: String) -> String {
            guard let dot = name.lastIndex(of: "."), !name[dot...].contains("/"), dot != name.startIndex,
                  name[name.index(before: dot)] != "/" else { return name }
            return String(name[..<dot])
        }
        var count: [String: Int] = [:]
        for item in items { count[strip(item.name), default: 0] += 1 }
        var out: [String: String] = [:]
        for item in items {
            let s = strip(item.name)
            out[item.id] = count[s, default: 0] > 1 ? item.name : s
        }
        return out
    }

    public static func run(plan: BatchPlan, run folder: URL, shard: ShardSelection,
                           progress: (BatchProgress) -> Void = { _ in }) throws -> BatchRunReport {
        let start = Date()
        let all = try BatchInputs.items(of: plan)
        let stems = stems(all)
        let mine = all.filter { shard.owns($0.id) }
        let executor = try BatchStepExecutor(plan: plan)
        if let other = ShardStore.all(run: folder).first(where: { $0.count != shard.count }) {
            throw RoentgenError(.badParameter, "the run folder already holds shards of a \(other.count)-way split (\(other.store.folder.lastPathComponent)); this is shard \(shard): use a new folder or the same number of shards",
                                file: folder.path)
        }
        let store = ShardStore(folder: ShardStore.folder(run: folder, index: shard.index, count: shard.count))
        do { try FileManager.default.createDirectory(at: store.folder, withIntermediateDirectories: true) } catch {
            throw RoentgenError(.io, "cannot create the run folder (\(error.localizedDescription))", file: store.folder.path)
        }
        let lock = try store.lock()
        defer { close(lock) }
        if let old = store.manifest(), old.plan != plan.digest {
            throw RoentgenError(.badParameter, "shard \(shard) in this folder was run with another step (\(old.plan.prefix(12))…, now \(plan.digest.prefix(12))…); use a new folder",
                                file: folder.path)
        }
        let temporariesRemoved = try store.clearTemporaries()
        defer { try? FileManager.default.removeItem(at: store.temporary) }
        var state = store.load()
        let orphans = state.orphans
        try store.compact(state)
        var manifest = ShardManifest(shard: shard.index, shards: shard.count, plan: plan.digest, items: mine.count, complete: false,
                                     ok: 0, failed: 0, origin: shard.origin)
        try store.write(manifest)
        let resultsFile = try AppendFile(store.results.path), logFile = try AppendFile(store.log.path)
        let outputs = folder.appendingPathComponent("outputs")
        var p = BatchProgress(shard: shard.description, done: 0, total: mine.count, ok: 0, failed: 0, skipped: 0, item: nil, elapsed: 0)
        progress(p)
        for item in mine {
            let t0 = Date()
            var entry: DoneEntry
            let sha: String
            do { sha = try item.sha256() } catch {
                sha = ""
            }
            if let last = state.last[item.id], last.status == .ok, last.sha256 == sha, !sha.isEmpty {
                p.skipped += 1
                p.ok += 1
                p.done += 1
                continue
            }
            do {
                guard !sha.isEmpty else { _ = try item.data(); throw RoentgenError(.io, "cannot read", file: item.location) }
                let outcome = try executor.run(item, stem: stems[item.id] ?? item.name)
                var written: [String] = []
                for (path, data) in outcome.outputs {
                    try AppendFile.replace(outputs.appendingPathComponent(path), with: data, temporaryFolder: store.temporary.path)
                    written.append("outputs/" + path)
                }
                let record = BatchRecord(item: item.id, sha256: sha, outputs: written, summary: outcome.summary)
                try resultsFile.append(try BatchJSON.line(record))
                entry = DoneEntry(item: item.id, sha256: sha, status: .ok, outputs: written, seconds: Date().timeIntervalSince(t0))
                state.records[item.id] = record
                p.ok += 1
            } catch {
                let message = (error as? RoentgenError).map { $0.file == nil ? "\(item.location): \($0)" : "\($0)" } ?? "\(item.location): \(error)"
                entry = DoneEntry(item: item.id, sha256: sha, status: .failed, error: message, seconds: Date().timeIntervalSince(t0))
                p.failed += 1
            }
            try logFile.append(try BatchJSON.line(entry))
            state.last[item.id] = entry
            p.done += 1
            p.item = item.id
            p.elapsed = Date().timeIntervalSince(start)
            progress(p)
        }
        manifest.complete = mine.allSatisfy { state.last[$0.id] != nil }
        manifest.ok = p.ok
        manifest.failed = p.failed
        try store.write(manifest)
        return BatchRunReport(shard: shard.description, origin: shard.origin, planItems: all.count, items: mine.count, skipped: p.skipped,
                              ok: p.ok, failed: p.failed, orphansDropped: orphans, temporariesRemoved: temporariesRemoved, seconds: Date().timeIntervalSince(start), folder: folder.path)
    }
}
