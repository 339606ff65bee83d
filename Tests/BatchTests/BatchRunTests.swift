import Foundation
import TestSupport
import Testing
import XrayCore
import XrayFormats
@testable import Batch

@Suite struct BatchRunTests {
    static let subset = ["bruker_raw/*", "bruker_uxd/*", "edge_cases/*.xy", "edge_cases/*.raw", "text/*.xy", "text/*.xye", "json/*", "gsas/*.XRA"]

    /// One process and three shards by flag give the same merged bytes and the same outputs;
    /// corrupt items are recorded with their reason while the others convert.
    @Test func shardedRunsMergeToTheSingleProcessRun() throws {
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd/bruker_raw")); return }
        let folder = temporaryFolder("sharded")
        let (_, plan) = try xrdConvertPlan(in: folder, include: Self.subset)
        let items = try BatchInputs.items(of: plan)
        #expect(items.count >= 15)
        let single = folder.appendingPathComponent("single"), sharded = folder.appendingPathComponent("sharded")
        let one = try BatchRunner.run(plan: plan, run: single, shard: .single)
        #expect(one.items == items.count && one.ok + one.failed == items.count)
        _ = try BatchMerge.merge(single)
        var seen = 0
        for i in 0..<3 {
            let report = try BatchRunner.run(plan: plan, run: sharded, shard: try ShardSelection(index: i, count: 3))
            seen += report.items
            #expect(report.items > 0, "shard \(i) of 3 got no items of \(items.count)")
        }
        #expect(seen == items.count)
        let merged = try BatchMerge.merge(sharded)
        #expect(merged.shards == 3)
        for name in ["results.jsonl", "errors.jsonl", "summary.json"] {
            #expect(contents(single.appendingPathComponent(name)) == contents(sharded.appendingPathComponent(name)), "\(name) differs")
        }
        let outputs = tree(single.appendingPathComponent("outputs"))
        #expect(outputs == tree(sharded.appendingPathComponent("outputs")))
        let written = BatchJSON.lines(BatchRecord.self, at: single.appendingPathComponent("results.jsonl")).flatMap(\.outputs)
        #expect(Set(outputs.keys.map { "outputs/" + $0 }) == Set(written))

        // The outputs are what `roentgen convert --to xy` writes for the same file.
        let bt86 = try #require(SharedData.url("xrd/bruker_raw/BT86.raw"))
        let expected = try DataFileExport.convert(try FormatRegistry.read(bt86), to: .xy)
        #expect(outputs["bruker_raw/BT86.xy"] == Data(expected.utf8))
        let records = BatchJSON.lines(BatchRecord.self, at: single.appendingPathComponent("results.jsonl"))
        #expect(records.map(\.item) == records.map(\.item).sorted())
        let bt86Record = try #require(records.first { $0.item.hasSuffix("bruker_raw/BT86.raw") })
        #expect(bt86Record.sha256 == (try SHA256.hex(ofFileAt: bt86)))
        #expect(bt86Record.outputs == ["outputs/bruker_raw/BT86.xy"])

        // Corrupt items: logged with their reason, the run went on.
        let failures = BatchJSON.lines(BatchMerge.Failure.self, at: single.appendingPathComponent("errors.jsonl"))
        let empty = try #require(failures.first { $0.item.hasSuffix("edge_cases/derived_empty.xy") })
        #expect(empty.error.contains("derived_empty.xy") && empty.error.contains("empty file"))
        let truncated = try #require(failures.first { $0.item.hasSuffix("derived_truncated_bruker_v4.raw") })
        #expect(truncated.error.contains("truncated"))
        #expect(failures.count == one.failed && one.failed >= 3)
    }

    /// A record written without its done-log line (a kill between the two writes) and a partial
    /// log line are dropped on resume; done items are skipped, failed ones retried, none duplicated.
    @Test func resumeDropsUnfinishedRecordsAndNeverDuplicates() async throws {
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd/bruker_raw")); return }
        let folder = temporaryFolder("resume")
        let (_, plan) = try xrdConvertPlan(in: folder, include: ["bruker_raw/*", "edge_cases/*.xy"])
        let run = folder.appendingPathComponent("run")
        let first = try BatchRunner.run(plan: plan, run: run, shard: .single)
        _ = try BatchMerge.merge(run)
        let clean = contents(run.appendingPathComponent("results.jsonl"))
        let store = ShardStore(folder: ShardStore.folder(run: run, index: 0, count: 1))
        // Simulate a kill: the last ok item's record appended again (its rerun was cut before
        // the log line), plus half a log line.
        let records = BatchJSON.lines(BatchRecord.self, at: store.results)
        let lastRecord = try #require(records.last)
        try AppendFile(store.results.path).append(try BatchJSON.line(lastRecord))
        try AppendFile(store.log.path).append(Data(#"{"item":"x","sha256":"#.utf8))
        #expect(store.load().orphans == 1)
        let second = try BatchRunner.run(plan: plan, run: run, shard: .single)
        #expect(second.orphansDropped == 1)
        #expect(second.skipped == first.ok)
        #expect(second.failed == first.failed)   // failed items are retried (and fail again)
        _ = try BatchMerge.merge(run)
        #expect(contents(run.appendingPathComponent("results.jsonl")) == clean)
        let ids = BatchJSON.lines(BatchRecord.self, at: store.results).map(\.item)
        #expect(ids.count == Set(ids).count && ids.count == first.ok)
        // The log was compacted to one line per item, then each retried failure appended one.
        #expect(BatchJSON.lines(DoneEntry.self, at: store.log).count == first.items + first.failed)
        #expect(store.load().last.count == first.items)
    }

    /// What a process killed while writing leaves (an output half-written in the shard's `tmp/`,
    /// a half-written shard file, a merge's temporary in the run folder) is removed by the rerun
    /// and the merge, never counted as done, and never seen in the output folder.
    @Test func rerunRemovesTemporariesOfAKilledRun() async throws {
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd/bruker_raw")); return }
        let folder = temporaryFolder("temporaries")
        let (_, plan) = try xrdConvertPlan(in: folder, include: ["bruker_raw/*"])
        let run = folder.appendingPathComponent("run")
        let first = try BatchRunner.run(plan: plan, run: run, shard: .single)
        _ = try BatchMerge.merge(run)
        let clean = contents(run.appendingPathComponent("results.jsonl"))
        let outputs = tree(run.appendingPathComponent("outputs"))
        #expect(first.ok > 0 && hiddenFiles(under: run) == [])
        let store = ShardStore(folder: ShardStore.folder(run: run, index: 0, count: 1))
        #expect(!FileManager.default.fileExists(atPath: store.temporary.path))   // removed when the run ends
        // A process id that no longer runs.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = gone.processIdentifier
        try FileManager.default.createDirectory(at: store.temporary, withIntermediateDirectories: true)
        try Data("half an output".utf8).write(to: store.temporary.appendingPathComponent(".BT86.xy.\(dead).tmp"))
        try Data(#"{"item":"#.utf8).write(to: store.folder.appendingPathComponent(".done.log.\(dead).tmp"))
        try Data("half a merge".utf8).write(to: run.appendingPathComponent(".results.jsonl.\(dead).tmp"))
        try Data("a user's file".utf8).write(to: run.appendingPathComponent(".notes.tmp"))   // not ours: kept
        let second = try BatchRunner.run(plan: plan, run: run, shard: .single)
        #expect(second.temporariesRemoved == 2)
        #expect(second.skipped == first.ok && second.ok == first.ok && second.failed == first.failed)
        #expect(store.load().last.count == first.items)
        _ = try BatchMerge.merge(run)
        #expect(hiddenFiles(under: run) == [".notes.tmp"])
        #expect(contents(run.appendingPathComponent("results.jsonl")) == clean)
        #expect(tree(run.appendingPathComponent("outputs")) == outputs)
    }

    /// A real kill: `roentgen batch run` is SIGKILLed while it works; the rerun finishes and the
    /// merge equals an uninterrupted run.
    @Test func resumeAfterKillingTheProcess() async throws {
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd/bruker_raw")); return }
        let folder = temporaryFolder("kill")
        let (planURL, plan) = try xrdConvertPlan(in: folder, include: ["**"])
        let total = try BatchInputs.items(of: plan).count
        let run = folder.appendingPathComponent("run"), reference = folder.appendingPathComponent("reference")
        let process = Process()
        process.executableURL = RoentgenCLI.executable
        process.arguments = ["batch", "run", planURL.path, "-o", run.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let log = ShardStore(folder: ShardStore.folder(run: run, index: 0, count: 1)).log
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            let lines = contents(log).split(separator: "\n").count
            if lines >= 3 { break }
            usleep(2_000)
        }
        let killedWhileRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(killedWhileRunning, "the run ended before it could be killed")
        let partial = ShardStore(folder: ShardStore.folder(run: run, index: 0, count: 1)).load()
        #expect(partial.last.count < total)
        #expect(throws: RoentgenError.self) { try BatchMerge.merge(run) }   // shard 0/1 incomplete

        let rerun = try await RoentgenCLI.run(["batch", "run", planURL.path, "-o", run.path, "--json"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let report = try JSONDecoder().decode(BatchRunReport.self, from: Data(rerun.stdout.utf8))
        #expect(report.skipped == partial.last.values.filter { $0.status == .ok }.count)
        #expect(report.ok + report.failed == total)
        _ = try BatchRunner.run(plan: plan, run: reference, shard: .single)
        _ = try BatchMerge.merge(reference)
        #expect(contents(run.appendingPathComponent("results.jsonl")) == contents(reference.appendingPathComponent("results.jsonl")))
        #expect(contents(run.appendingPathComponent("errors.jsonl")) == contents(reference.appendingPathComponent("errors.jsonl")))
        #expect(tree(run.appendingPathComponent("outputs")) == tree(reference.appendingPathComponent("outputs")))
        #expect(hiddenFiles(under: run.appendingPathComponent("outputs")) == [])
        // Progress went to stderr as JSON lines (not a terminal).
        #expect(rerun.stderr.contains(#""event":"progress""#))
    }

    @Test func mergeNamesMissingAndIncompleteShards() async throws {
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd/bruker_raw")); return }
        let folder = temporaryFolder("missing")
        let (_, plan) = try xrdConvertPlan(in: folder, include: ["bruker_raw/*", "text/*.xy"])
        let run = folder.appendingPathComponent("run")
        for i in [0, 2] { _ = try BatchRunner.run(plan: plan, run: run, shard: try ShardSelection(index: i, count: 3)) }
        do { _ = try BatchMerge.merge(run); Issue.record("merge with a missing shard succeeded") } catch let error as RoentgenError {
            #expect(error.message.contains("shard 1/3 missing"))
            #expect(!error.message.contains("shard 0/3") && !error.message.contains("shard 2/3"))
        }
        // Shard 2 loses its last log line: incomplete.
        let store = ShardStore(folder: ShardStore.folder(run: run, index: 2, count: 3))
        var lines = contents(store.log).split(separator: "\n")
        let assigned = lines.count
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(to: store.log, atomically: true, encoding: .utf8)
        let status = try BatchStatus.of(run)
        #expect(status.missing == [1] && status.incomplete == [2])
        #expect(status.problems.contains("shard 2/3 incomplete (\(assigned - 1) of \(assigned) items done)"))
        let cli = try await RoentgenCLI.run(["batch", "merge", run.path])
        #expect(cli.status != 0)
        #expect(cli.stderr.contains("shard 1/3 missing") && cli.stderr.contains("shard 2/3 incomplete"))
        let statusCLI = try await RoentgenCLI.run(["batch", "status", run.path])
        #expect(statusCLI.status != 0 && statusCLI.stdout.contains("shard 1/3 missing"))
        // --partial merges what is there.
        let partial = try BatchMerge.merge(run, partial: true)
        #expect(partial.ok + partial.failed == status.ok + status.failed)
        // Another split in the same folder is refused.
        #expect(throws: RoentgenError.self) { try BatchRunner.run(plan: plan, run: run, shard: try ShardSelection(index: 0, count: 2)) }
        // Rerunning the missing shard and the incomplete one completes the run.
        for i in [1, 2] { _ = try BatchRunner.run(plan: plan, run: run, shard: try ShardSelection(index: i, count: 3)) }
        #expect(try BatchMerge.merge(run).ok > 0)
    }

    /// Environment-chosen shards through the CLI: a Kubernetes index and a refused sparse Slurm array.
    @Test func cliTakesTheShardFromTheEnvironment() async throws {
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd/bruker_raw")); return }
        let folder = temporaryFolder("env")
        let (planURL, plan) = try xrdConvertPlan(in: folder, include: ["bruker_raw/*"])
        let run = folder.appendingPathComponent("run")
        for i in 0..<2 {
            let r = try await RoentgenCLI.run(["batch", "run", planURL.path, "-o", run.path, "--shards", "2"], environment: ["JOB_COMPLETION_INDEX": "\(i)"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("shard \(i)/2"))
        }
        let merged = try BatchMerge.merge(run)
        #expect(merged.ok + merged.failed == (try BatchInputs.items(of: plan).count))
        let manifest = try #require(ShardStore(folder: ShardStore.folder(run: run, index: 1, count: 2)).manifest())
        #expect(manifest.origin.contains("JOB_COMPLETION_INDEX=1"))
        let sparse = try await RoentgenCLI.run(["batch", "run", planURL.path, "-o", folder.appendingPathComponent("sparse").path],
                                         environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "7",
                                                       "SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
        #expect(sparse.status != 0 && sparse.stderr.contains("not a range"))
        // The flag form.
        let flags = try await RoentgenCLI.run(["batch", "run", "--input", SharedData.root.appendingPathComponent("xrd/bruker_uxd").path,
                                         "--verb", "convert", "--option", "to=xy", "-o", folder.appendingPathComponent("flags").path])
        #expect(flags.status == 0, "\(flags.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("flags/outputs/BT86_.xy").path))
        let unknown = try await RoentgenCLI.run(["batch", "run", "--input", ".", "--verb", "convert", "--option", "to=xy", "--option", "colour=red", "-o", folder.path])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown option 'colour'"))
    }
}
