import Foundation
import Testing
import XrayCore
@testable import Batch

@Suite struct ShardSelectionTests {
    /// Shards from SHA-256 of the id, checked against Python's hashlib:
    /// int(sha256(id).hexdigest()[:16], 16) % N.
    @Test func shardOfAnItemIsSHA256OfItsPath() {
        #expect(ShardSelection.shard(of: "bruker_raw/BT86.raw", count: 4) == 2)
        #expect(ShardSelection.shard(of: "bruker_raw/BT86.raw", count: 7) == 0)
        #expect(ShardSelection.shard(of: "bruker_raw/BT86.raw", count: 1000) == 658)
        #expect(ShardSelection.shard(of: "../../../shared/data/xrd/json/xrdpattern_aimat.json", count: 4) == 1)
        #expect(ShardSelection.shard(of: "a", count: 1000) == 250)
        #expect(ShardSelection.shard(of: "", count: 1000) == 652)
    }

    @Test func addingItemsMovesNoneAndShardsAreBalanced() {
        let before = (0..<2000).map { "patterns/p\($0).json" }
        let after = before + (2000..<2500).map { "patterns/p\($0).json" }
        let assign = { (ids: [String]) in Dictionary(uniqueKeysWithValues: ids.map { ($0, ShardSelection.shard(of: $0, count: 8)) }) }
        let a = assign(before), b = assign(after)
        #expect(before.allSatisfy { a[$0] == b[$0] })
        var counts = [Int](repeating: 0, count: 8)
        for id in after { counts[b[id]!] += 1 }
        // 2500 items in 8 shards: 312.5 each; a binomial spread is about ±17.
        #expect(counts.allSatisfy { (250...375).contains($0) }, "\(counts)")
        // Every item in exactly one shard.
        let shards = (0..<8).map { try! ShardSelection(index: $0, count: 8) }
        #expect(after.allSatisfy { id in shards.filter { $0.owns(id) }.count == 1 })
    }

    @Test func flagForm() throws {
        let s = try ShardSelection.parse("2/8")
        #expect(s.index == 2 && s.count == 8)
        #expect(throws: RoentgenError.self) { try ShardSelection.parse("8/8") }
        #expect(throws: RoentgenError.self) { try ShardSelection.parse("-1/4") }
        #expect(throws: RoentgenError.self) { try ShardSelection.parse("2of8") }
        #expect(throws: RoentgenError.self) { try ShardSelection.parse("0/0") }
    }

    func env(_ id: Int, min: Int, max: Int, step: Int, count: Int) -> [String: String] {
        ["SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_MIN": "\(min)", "SLURM_ARRAY_TASK_MAX": "\(max)",
         "SLURM_ARRAY_TASK_STEP": "\(step)", "SLURM_ARRAY_TASK_COUNT": "\(count)", "SLURM_ARRAY_JOB_ID": "77"]
    }

    /// `--array=0-3`: ids 0…3 are the ranks.
    @Test func slurmRange() throws {
        for id in 0..<4 {
            let s = try #require(try ShardSelection.fromEnvironment(env(id, min: 0, max: 3, step: 1, count: 4), shards: nil))
            #expect(s.index == id && s.count == 4)
        }
        // --shards must agree with the array.
        #expect(throws: RoentgenError.self) { try ShardSelection.fromEnvironment(self.env(1, min: 0, max: 3, step: 1, count: 4), shards: 5) }
        #expect(try ShardSelection.fromEnvironment(env(1, min: 0, max: 3, step: 1, count: 4), shards: 4)?.index == 1)
    }

    /// `--array=0-6:2` (Slurm 22.05: ids 0,2,4,6, count 4, min 0, max 6, step 2) and `--array=5-8`.
    @Test func slurmRangeWithStepOrOffset() throws {
        let ranks = try [0, 2, 4, 6].map { try #require(try ShardSelection.fromEnvironment(env($0, min: 0, max: 6, step: 2, count: 4), shards: nil)).index }
        #expect(ranks == [0, 1, 2, 3])
        let offset = try [5, 6, 7, 8].map { try #require(try ShardSelection.fromEnvironment(env($0, min: 5, max: 8, step: 1, count: 4), shards: nil)).index }
        #expect(offset == [0, 1, 2, 3])
    }

    /// `--array=1,5,7` (Slurm 22.05: count 3, min 1, max 7, step 1): ids are not ranks. Every
    /// task refuses (task 1 too, which a naive (id−min)/step would run as shard 0 of 3).
    @Test func slurmSparseArrayIsRefusedByEveryTask() throws {
        for id in [1, 5, 7] {
            do {
                _ = try ShardSelection.fromEnvironment(env(id, min: 1, max: 7, step: 1, count: 3), shards: nil)
                Issue.record("task \(id) of --array=1,5,7 was not refused")
            } catch let error as RoentgenError {
                #expect(error.message.contains("SLURM_ARRAY_TASK_ID=\(id)"))
                #expect(error.message.contains("not a range"))
                #expect(error.message.contains("--array=0-2"))
            }
        }
        // Without SLURM_ARRAY_TASK_MAX, a rank outside the count is still caught.
        var noMax = env(5, min: 1, max: 7, step: 1, count: 3)
        noMax["SLURM_ARRAY_TASK_MAX"] = nil
        #expect(throws: RoentgenError.self) { try ShardSelection.fromEnvironment(noMax, shards: nil) }
    }

    @Test func kubernetesIndexedJob() throws {
        let s = try #require(try ShardSelection.fromEnvironment(["JOB_COMPLETION_INDEX": "3"], shards: 5))
        #expect(s.index == 3 && s.count == 5)
        #expect(s.origin.contains("JOB_COMPLETION_INDEX=3"))
        do { _ = try ShardSelection.fromEnvironment(["JOB_COMPLETION_INDEX": "3"], shards: nil); Issue.record("no --shards accepted") } catch let e as RoentgenError {
            #expect(e.message.contains("--shards"))
        }
        #expect(throws: RoentgenError.self) { try ShardSelection.fromEnvironment(["JOB_COMPLETION_INDEX": "5"], shards: 5) }
        #expect(try ShardSelection.fromEnvironment([:], shards: 3) == nil)
    }
}
