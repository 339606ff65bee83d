import Foundation
import XrayCore

/// The state of a run folder, shard by shard (`roentgen batch status`).
public struct BatchStatus: Sendable, Codable {
    public struct Shard: Sendable, Codable {
        public var shard: Int
        public var items: Int?
        public var ok: Int
        public var failed: Int
        /// Assigned items without a done-log line yet.
        public var pending: Int?
        public var complete: Bool
        public var origin: String?
    }

    /// Number of shards of the split (nil: no shard has started).
    public var shards: Int?
    public var present: [Shard]
    /// Shard indices with no folder at all (never started).
    public var missing: [Int]
    /// Shard indices started but not finished (killed, still running, or lost).
    public var incomplete: [Int]
    public var ok: Int
    public var failed: Int
    /// Step digests found (more than one: shards of different plans share the folder).
    public var plans: [String]

    /// Reads the run folder `run`.
    public static func of(_ run: URL) throws -> BatchStatus {
        let found = ShardStore.all(run: run)
        guard !found.isEmpty else {
            throw RoentgenError(.notFound, "no shards in this folder (expected shards/NNNNN-of-NNNNN/ from `roentgen batch run`)", file: run.path)
        }
        let counts = Set(found.map(\.count))
        guard counts.count == 1, let n = counts.first else {
            throw RoentgenError(.badData, "shards of different splits in one folder (\(counts.sorted().map { "\($0)-way" }.joined(separator: ", "))); use one folder per split", file: run.path)
        }
        var status = BatchStatus(shards: n, present: [], missing: [], incomplete: [], ok: 0, failed: 0, plans: [])
        var plans = Set<String>()
        for (index, _, store) in found {
            let manifest = store.manifest()
            let state = store.load()
            let ok = state.last.values.filter { $0.status == .ok }.count
            let failed = state.last.count - ok
            let pending = manifest.map { max(0, $0.items - state.last.count) }
            let complete = (manifest?.complete ?? false) && pending == 0
            if let plan = manifest?.plan { plans.insert(plan) }
            status.present.append(Shard(shard: index, items: manifest?.items, ok: ok, failed: failed, pending: pending,
                                        complete: complete, origin: manifest?.origin))
            if !complete { status.incomplete.append(index) }
            status.ok += ok
            status.failed += failed
        }
        let indices = Set(found.map(\.index))
        status.missing = (0..<n).filter { !indices.contains($0) }
        status.plans = plans.sorted()
        return status
    }

    /// `shard 2/4 (no folder)`, `shard 3/4 (7 of 12 items done)`.
    public var problems: [String] {
        guard let n = shards else { return [] }
        return missing.map { "shard \($0)/\(n) missing (never started: no folder)" } + incomplete.map { i in
            let s = present.first { $0.shard == i }
            let done = (s?.ok ?? 0) + (s?.failed ?? 0)
            return "shard \(i)/\(n) incomplete (\(done) of \(s?.items.map(String.init) ?? "?") items done)"
        }
    }
}

/// What `merge` wrote.
public struct BatchMergeReport: Sendable, Codable {
    public var shards: Int
    public var ok: Int
    public var failed: Int
    public var plan: String
    public var results: String
    public var errors: String
}

/// Merges a run's shards into one result set: `RUN/results.jsonl` (one record per item done,
/// sorted by item id), `RUN/errors.jsonl` (item, sha256, error of each failed item) and
/// `RUN/summary.json`; the outputs are already in `RUN/outputs/`. The bytes do not depend on how
/// many shards there were, so a sharded run merges to exactly what one process writes.
public enum BatchMerge {
    /// The merged error line of a failed item.
    public struct Failure: Sendable, Codable, Equatable {
        public var item: String
        public var sha256: String
        public var error: String
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var plan: String
        public var items: Int
        public var ok: Int
        public var failed: Int
    }

    /// Merges `run`; missing or incomplete shards are an error naming each of them, unless `partial`.
    public static func merge(_ run: URL, partial: Bool = false) throws -> BatchMergeReport {
        let status = try BatchStatus.of(run)
        guard status.plans.count <= 1 else {
            throw RoentgenError(.badData, "shards of different steps in one folder (plans \(status.plans.map { String($0.prefix(12)) }.joined(separator: ", "))); use one folder per plan", file: run.path)
        }
        if !partial, !status.problems.isEmpty {
            throw RoentgenError(.badData, "cannot merge: " + status.problems.joined(separator: "; ") + " (rerun them with `roentgen batch run … --shard i/N`, or merge what is there with --partial)", file: run.path)
        }
        var records: [BatchRecord] = [], failures: [Failure] = []
        for (_, _, store) in ShardStore.all(run: run) {
            let state = store.load()
            for (item, e) in state.last {
                if e.status == .ok, let r = state.records[item] { records.append(r) }
                else if e.status == .failed { failures.append(Failure(item: item, sha256: e.sha256, error: e.error ?? "")) }
            }
        }
        records.sort { $0.item < $1.item }
        failures.sort { $0.item < $1.item }
        var recordData = Data(), errorData = Data()
        for r in records { recordData.append(try BatchJSON.line(r)) }
        for f in failures { errorData.append(try BatchJSON.line(f)) }
        let resultsURL = run.appendingPathComponent("results.jsonl"), errorsURL = run.appendingPathComponent("errors.jsonl")
        AppendFile.removeStaleTemporaries(of: [resultsURL.lastPathComponent, errorsURL.lastPathComponent, "summary.json"], in: run.path)
        try AppendFile.replace(resultsURL, with: recordData)
        try AppendFile.replace(errorsURL, with: errorData)
        let plan = status.plans.first ?? ""
        try AppendFile.replace(run.appendingPathComponent("summary.json"),
                               with: try BatchJSON.pretty(Summary(plan: plan, items: records.count + failures.count, ok: records.count, failed: failures.count)))
        return BatchMergeReport(shards: status.shards ?? 0, ok: records.count, failed: failures.count, plan: plan,
                                results: resultsURL.path, errors: errorsURL.path)
    }
}
