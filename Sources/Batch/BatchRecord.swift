/// One line of a shard's `results.jsonl` (and of the merged `results.jsonl`): an item done.
/// Nothing in it depends on the shard, the machine or the time, so a merged run and a
/// single-process run give the same bytes.
public struct BatchRecord: Sendable, Codable, Equatable {
    /// The item's id (path relative to the plan's folder).
    public var item: String
    /// SHA-256 of the item's bytes.
    public var sha256: String
    /// Files written, relative to the run folder (`outputs/…`).
    public var outputs: [String]
    /// What the step reported (verb-specific).
    public var summary: [String: BatchValue]

    public init(item: String, sha256: String, outputs: [String], summary: [String: BatchValue]) {
        self.item = item
        self.sha256 = sha256
        self.outputs = outputs
        self.summary = summary
    }
}

/// One line of a shard's `done.log`: an item finished, written only after its result (and its
/// outputs) are on disk, so an item without a log line is not done, whatever else exists.
public struct DoneEntry: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case ok, failed }
    public var item: String
    /// SHA-256 of the item's bytes when it was run ("" when the item could not be read at all).
    public var sha256: String
    public var status: Status
    public var outputs: [String]
    /// Why the item failed (the error as printed, naming file and line).
    public var error: String?
    /// Wall time of the item, seconds.
    public var seconds: Double

    public init(item: String, sha256: String, status: Status, outputs: [String] = [], error: String? = nil, seconds: Double = 0) {
        self.item = item
        self.sha256 = sha256
        self.status = status
        self.outputs = outputs
        self.error = error
        self.seconds = seconds
    }
}

/// A shard's `shard.json`: which shard of how many, of which step, and whether it ran to the end.
public struct ShardManifest: Sendable, Codable, Equatable {
    public var shard: Int
    public var shards: Int
    /// SHA-256 of the step (verb and options); shards of one run share it.
    public var plan: String
    /// Items assigned to this shard.
    public var items: Int
    /// Every assigned item has a done-log line (ok or failed).
    public var complete: Bool
    public var ok: Int
    public var failed: Int
    /// How the shard was chosen (`--shard 1/4`, `SLURM_ARRAY_TASK_ID=1 …`).
    public var origin: String
}
