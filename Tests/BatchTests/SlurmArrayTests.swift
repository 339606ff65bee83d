import Foundation
import TestSupport
import Testing
@testable import Batch

/// Runs `program args…` under `timeout`, returning status and stdout+stderr.
func command(_ program: String, _ args: [String], seconds: Int = 20) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments = [String(seconds), program] + args
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Why Slurm tests cannot run here, or nil when a node answers.
func slurmUnavailable() -> String? {
    for tool in ["sbatch", "squeue", "sinfo", "scontrol"] where SlurmScript.which(tool) == nil {
        return "\(tool) not on PATH (start a cluster with Scripts/slurm-local.sh start; .ci/run does): skipping the Slurm array tests"
    }
    let state = command("sinfo", ["-h", "-N", "-o", "%t"], seconds: 10)
    let states = state.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    guard state.status == 0, states.contains(where: { ["idle", "mix", "alloc", "comp"].contains($0) }) else {
        return "no Slurm node is up (sinfo: \(state.output.trimmingCharacters(in: .whitespacesAndNewlines))): skipping the Slurm array tests"
    }
    return nil
}

/// Waits until job `id` has left the queue (all its array tasks ended); false on timeout.
func waitForJob(_ id: String, seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        let q = command("squeue", ["-h", "-j", id], seconds: 10)
        if q.status == 0 && q.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return true }
        usleep(300_000)
    }
    return false
}

@Suite(.serialized) struct SlurmArrayTests {
    /// `roentgen batch slurm --submit` runs examples/batch/xrd-convert.yaml (every diffraction
    /// file of ../shared/data/xrd to .xy) as a real 4-task array; the merge equals one process.
    @Test func fourTaskArrayMergesToTheSingleProcessRun() async throws {
        if let why = slurmUnavailable() { print(why); return }
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd")); return }
        let planURL = SharedData.projectRoot.appendingPathComponent("examples/batch/xrd-convert.yaml")
        let plan = try BatchPlan.load(planURL)
        let folder = temporaryFolder("slurm")
        let single = folder.appendingPathComponent("single"), array = folder.appendingPathComponent("array")
        let one = try BatchRunner.run(plan: plan, run: single, shard: .single)
        _ = try BatchMerge.merge(single)

        let submitted = try await RoentgenCLI.run(["batch", "slurm", planURL.path, "--shards", "4", "-o", array.path, "--submit"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let script = contents(array.appendingPathComponent("batch.sbatch"))
        #expect(script.contains("#SBATCH --array=0-3"))
        #expect(script.contains("#SBATCH --output=\(array.path)/logs/%A_%a.out"))
        #expect(script.contains("batch run \(planURL.path) -o \(array.path) --shards 4"))
        let words = submitted.stdout.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "\n" })
        let job = try #require(words.firstIndex(of: "job").map { String(words[$0 + 1]) })
        #expect(waitForJob(job, seconds: 180), "array job \(job) still queued after 180 s")
        for task in 0..<4 {
            let info = command("scontrol", ["show", "job", "\(job)_\(task)"], seconds: 10).output
            #expect(info.contains("JobState=COMPLETED"), "task \(task): \(info.prefix(300))")
            #expect(FileManager.default.fileExists(atPath: array.appendingPathComponent("logs/\(job)_\(task).out").path))
            let manifest = try #require(ShardStore(folder: ShardStore.folder(run: array, index: task, count: 4)).manifest())
            #expect(manifest.complete && manifest.origin.contains("SLURM_ARRAY_TASK_ID=\(task)"))
        }
        let status = try BatchStatus.of(array)
        #expect(status.problems.isEmpty && status.ok == one.ok && status.failed == one.failed)
        let merged = try BatchMerge.merge(array)
        #expect(merged.shards == 4)
        for name in ["results.jsonl", "errors.jsonl", "summary.json"] {
            #expect(contents(single.appendingPathComponent(name)) == contents(array.appendingPathComponent(name)), "\(name) differs")
        }
        #expect(tree(single.appendingPathComponent("outputs")) == tree(array.appendingPathComponent("outputs")))
        #expect(one.ok >= 50)
    }

    /// `--array=1,5,7` on the real Slurm: every task refuses (ids are not ranks) and nothing runs.
    @Test func sparseArrayIsRefusedOnRealSlurm() throws {
        if let why = slurmUnavailable() { print(why); return }
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd")); return }
        let folder = temporaryFolder("sparse")
        let (planURL, _) = try xrdConvertPlan(in: folder, include: ["bruker_raw/*"])
        let run = folder.appendingPathComponent("run"), logs = folder.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let submitted = command("sbatch", ["--parsable", "--array=1,5,7", "-o", logs.path + "/%a.out", "-e", logs.path + "/%a.err",
                                           "--wrap", "exec \(RoentgenCLI.executable.path) batch run \(planURL.path) -o \(run.path)"])
        #expect(submitted.status == 0, "\(submitted.output)")
        let job = submitted.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        #expect(waitForJob(job, seconds: 120))
        for task in [1, 5, 7] {
            let err = contents(logs.appendingPathComponent("\(task).err"))
            #expect(err.contains("SLURM_ARRAY_TASK_ID=\(task)") && err.contains("COUNT=3") && err.contains("not a range"), "task \(task): \(err)")
        }
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("shards").path))
    }
}
