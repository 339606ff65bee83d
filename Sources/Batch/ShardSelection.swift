import Foundation
import XrayCore

/// Which shard of how many this process runs, and how it was told.
public struct ShardSelection: Sendable, Equatable, CustomStringConvertible {
    /// 0-based rank of this shard.
    public var index: Int
    /// Number of shards.
    public var count: Int
    /// Where the selection came from (`--shard`, `SLURM_ARRAY_TASK_ID=5 …`, `JOB_COMPLETION_INDEX=2`).
    public var origin: String

    public init(index: Int, count: Int, origin: String = "--shard") throws {
        guard count >= 1 else { throw RoentgenError.badParameter("\(origin): the number of shards must be at least 1, got \(count)") }
        guard (0..<count).contains(index) else {
            throw RoentgenError.badParameter("\(origin): shard \(index) is outside 0…\(count - 1) (\(count) shards)")
        }
        self.index = index
        self.count = count
        self.origin = origin
    }

    /// The whole run in one process.
    public static let single = try! ShardSelection(index: 0, count: 1, origin: "single process")

    public var description: String { "\(index)/\(count)" }

    /// The shard an item goes to: the first 8 bytes of SHA-256 of its id (the path relative to
    /// the plan), big-endian, modulo the number of shards. An item's shard depends on its id and
    /// the count only, so adding inputs moves no existing item; it is the same on every machine.
    public static func shard(of id: String, count: Int) -> Int {
        let digest = SHA256.hex(Data(id.utf8))
        let value = UInt64(digest.prefix(16), radix: 16) ?? 0
        return Int(value % UInt64(count))
    }

    /// Whether this shard runs `id`.
    public func owns(_ id: String) -> Bool { Self.shard(of: id, count: count) == index }

    /// Parses `--shard i/N` (0-based i).
    public static func parse(_ text: String) throws -> ShardSelection {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw RoentgenError.badParameter("--shard '\(text)' not understood; expected i/N with 0 ≤ i < N, e.g. 2/8")
        }
        return try ShardSelection(index: i, count: n, origin: "--shard \(text)")
    }

    /// The shard named by the environment: a Slurm array task (`SLURM_ARRAY_TASK_ID`, `_MIN`,
    /// `_MAX`, `_STEP`, `_COUNT`) or a Kubernetes indexed job (`JOB_COMPLETION_INDEX`, with the
    /// count given as `shards`); nil when neither is set.
    ///
    /// A Slurm task's rank is (ID − MIN) / STEP, which holds for ranges with or without a step
    /// (`--array=0-7`, `--array=0-6:2`). A list such as `--array=1,5,7` reports step 1 and ids
    /// that are not ranks (Slurm 22.05: count 3, min 1, max 7): the ids then do not fill
    /// MIN…MAX in steps of STEP and this is refused, naming the variables, rather than running
    /// some shards twice and others never. `shards`, when given, must equal the array's count.
    public static func fromEnvironment(_ env: [String: String], shards: Int?) throws -> ShardSelection? {
        if let idText = env["SLURM_ARRAY_TASK_ID"] {
            func number(_ key: String) throws -> Int? {
                guard let text = env[key] else { return nil }
                guard let n = Int(text) else { throw RoentgenError.badParameter("\(key)='\(text)' is not an integer") }
                return n
            }
            guard let id = Int(idText) else { throw RoentgenError.badParameter("SLURM_ARRAY_TASK_ID='\(idText)' is not an integer") }
            let min = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = try number("SLURM_ARRAY_TASK_STEP") ?? 1
            guard let count = try number("SLURM_ARRAY_TASK_COUNT") ?? shards else {
                throw RoentgenError.badParameter("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give the number of shards with --shards N")
            }
            let max = try number("SLURM_ARRAY_TASK_MAX")
            let described = "SLURM_ARRAY_TASK_ID=\(id) (MIN=\(min), MAX=\(max.map(String.init) ?? "unset"), STEP=\(step), COUNT=\(count))"
            guard step >= 1, count >= 1 else { throw RoentgenError.badParameter("\(described): step and count must be positive") }
            let contiguous = max.map { (($0 - min) % step == 0) && ($0 - min) / step + 1 == count } ?? true
            guard contiguous, (id - min) % step == 0, (id - min) / step < count, id >= min else {
                throw RoentgenError.badParameter("\(described): the array's ids are not a range MIN, MIN+STEP, … of COUNT ids (a list such as --array=1,5,7 reports step 1 and ids that are not ranks), so this task's shard cannot be told; submit a range such as --array=0-\(count - 1) (as `roentgen batch slurm` writes), or give --shard i/N")
            }
            if let shards, shards != count {
                throw RoentgenError.badParameter("\(described): --shards \(shards) differs from the array's \(count) tasks")
            }
            return try ShardSelection(index: (id - min) / step, count: count, origin: described)
        }
        if let text = env["JOB_COMPLETION_INDEX"] {
            guard let index = Int(text) else { throw RoentgenError.badParameter("JOB_COMPLETION_INDEX='\(text)' is not an integer") }
            guard let shards else {
                throw RoentgenError.badParameter("JOB_COMPLETION_INDEX=\(index) is set (a Kubernetes indexed job): give the job's completions as --shards N")
            }
            return try ShardSelection(index: index, count: shards, origin: "JOB_COMPLETION_INDEX=\(index) of --shards \(shards)")
        }
        return nil
    }
}
