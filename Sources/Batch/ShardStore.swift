import Foundation
import XrayCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of one shard under `RUN/shards/NNNNN-of-NNNNN/`: `results.jsonl` (one record per
/// item done), `done.log` (one line per item finished, ok or failed), `shard.json`.
///
/// Crash safety: an item's outputs are written (renamed into place), then its record is appended
/// and fsynced, then its done-log line is appended and fsynced. A process killed at any point
/// leaves at most a record without a log line, which `load` ignores (the k-th record of an item
/// is valid only if the log has k `ok` lines for it), and a partial last line, which is dropped.
public struct ShardStore {
    public let folder: URL

    /// The folder of shard `index` of `count` in the run folder `run`.
    public static func folder(run: URL, index: Int, count: Int) -> URL {
        run.appendingPathComponent("shards").appendingPathComponent(String(format: "%05d-of-%05d", index, count))
    }

    public var results: URL { folder.appendingPathComponent("results.jsonl") }
    public var log: URL { folder.appendingPathComponent("done.log") }
    public var manifestURL: URL { folder.appendingPathComponent("shard.json") }
    /// Where the shard's outputs are written before they are renamed into `RUN/outputs`.
    public var temporary: URL { folder.appendingPathComponent("tmp") }

    public init(folder: URL) { self.folder = folder }

    /// A shard's effective state: per item, its last done-log line and (when that says ok) its record.
    public struct State: Sendable {
        public var last: [String: DoneEntry] = [:]
        public var records: [String: BatchRecord] = [:]
        /// Records found without a log line (a process killed between the two writes).
        public var orphans = 0
        /// Lines superseded by later ones (retries, inputs changed since).
        public var superseded = 0
    }

    /// Reads the shard's files (absent files are empty).
    public func load() -> State {
        var state = State()
        let entries = BatchJSON.lines(DoneEntry.self, at: log)
        var okCount: [String: Int] = [:]
        for e in entries {
            if state.last[e.item] != nil { state.superseded += 1 }
            state.last[e.item] = e
            if e.status == .ok { okCount[e.item, default: 0] += 1 }
        }
        var seen: [String: Int] = [:]
        for r in BatchJSON.lines(BatchRecord.self, at: results) {
            let k = seen[r.item, default: 0] + 1
            seen[r.item] = k
            guard k <= okCount[r.item, default: 0] else { state.orphans += 1; continue }
            if k == okCount[r.item], state.last[r.item]?.status == .ok { state.records[r.item] = r } else { state.superseded += 1 }
        }
        // A log `ok` line whose record is missing (files edited by hand) is not done.
        for (item, e) in state.last where e.status == .ok && state.records[item] == nil { state.last[item] = nil }
        return state
    }

    /// Rewrites both files to hold one line per item (failed items keep only their log line),
    /// dropping orphans and partial lines; the record file first, so that a kill in between
    /// leaves a state `load` still reads correctly.
    func compact(_ state: State) throws {
        var records = Data(), log = Data()
        for item in state.last.keys.sorted() {
            guard let e = state.last[item] else { continue }
            if e.status == .ok, let r = state.records[item] { records.append(try BatchJSON.line(r)) }
            log.append(try BatchJSON.line(e))
        }
        try AppendFile.replace(results, with: records)
        try AppendFile.replace(self.log, with: log)
    }

    public func manifest() -> ShardManifest? {
        guard let data = FileManager.default.contents(atPath: manifestURL.path) else { return nil }
        return try? JSONDecoder().decode(ShardManifest.self, from: data)
    }

    func write(_ manifest: ShardManifest) throws {
        try AppendFile.replace(manifestURL, with: try BatchJSON.pretty(manifest))
    }

    /// An exclusive lock on the shard (released when the process ends): two processes running
    /// the same shard would interleave their lines.
    func lock() throws -> Int32 {
        let path = folder.appendingPathComponent("lock").path
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else { throw RoentgenError(.io, "cannot open the lock file (\(String(cString: strerror(errno))))", file: path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw RoentgenError(.io, "another process is running this shard (the lock is held)", file: folder.path)
        }
        return fd
    }

    /// Removes what a killed process of this shard left half-written: the `tmp/` folder (outputs
    /// not yet renamed into place) and hidden `.NAME.PID.tmp` files of the shard's own files.
    /// Call with the lock held: no other process writes there then. Returns the files removed.
    @discardableResult
    func clearTemporaries() throws -> Int {
        let fm = FileManager.default
        var removed = 0
        if let left = fm.enumerator(atPath: temporary.path) {
            for case let path as String in left where !BatchInputs.isFolder(temporary.path + "/" + path) { removed += 1 }
        }
        try? fm.removeItem(at: temporary)
        for entry in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where entry.hasPrefix(".") && entry.hasSuffix(".tmp") {
            if unlink(folder.path + "/" + entry) == 0 { removed += 1 }
        }
        do { try fm.createDirectory(at: temporary, withIntermediateDirectories: true) } catch {
            throw RoentgenError(.io, "cannot create the shard's temporary folder (\(error.localizedDescription))", file: temporary.path)
        }
        return removed
    }

    /// The shard folders present under `run/shards`, as (index, count, store).
    public static func all(run: URL) -> [(index: Int, count: Int, store: ShardStore)] {
        let shards = run.appendingPathComponent("shards")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: shards.path)) ?? []
        return names.sorted().compactMap { name in
            let parts = name.split(separator: "-")
            guard parts.count == 3, parts[1] == "of", let i = Int(parts[0]), let n = Int(parts[2]) else { return nil }
            return (i, n, ShardStore(folder: shards.appendingPathComponent(name)))
        }
    }
}
