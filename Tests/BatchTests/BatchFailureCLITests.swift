import Foundation
import Testing
import TestSupport
@testable import Batch

/// How `roentgen batch` treats steps that fail: a step that throws on an item records a failed item and
/// the run goes on; a run where every item failed exits 1 (some failed: 0); option values a step cannot
/// take are refused with the plan's line before anything runs; `batch slurm` refuses more shards than items.
@Suite struct BatchFailureCLITests {
    static let foil = "xas/xaslib/Cu_Foil_rt_2016Foils.xdi"
    static let lab6 = "xrd/bruker_raw/LaB6_Jan2018.raw"

    /// `xas` with kmax = -1 throws on the item (an error, not a trap): it is recorded as failed, in done.log
    /// and errors.jsonl, and since no item succeeded the run exits 1 (it exited 0 before). With a second
    /// item that works, the same step gives 1 ok, 1 failed and exit 0.
    @Test func aThrowingStepRecordsAFailedItem() async throws {
        guard let foil = SharedData.url(Self.foil) else {
            print(SharedData.missing(Self.foil)); return
        }
        let folder = temporaryFolder("failures")
        defer { try? FileManager.default.removeItem(at: folder) }
        let all = folder.appendingPathComponent("all")
        let r = try await RoentgenCLI.run(["batch", "run", "-o", all.path, "--input", foil.path, "--verb", "xas", "--option", "kmax=-1", "--json"])
        #expect(r.status != 0, "\(r.stdout)")
        #expect(r.stderr.contains("all 1 item of shard 0/1 failed"), "\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(report["ok"] as? Int == 0 && report["failed"] as? Int == 1)
        let errors = contents(all.appendingPathComponent("errors.jsonl"))
        #expect(errors.contains("Cu_Foil_rt_2016Foils.xdi") && errors.contains("\"error\""), "\(errors)")
        #expect(contents(all.appendingPathComponent("results.jsonl")).isEmpty)
        // A shard beyond the items (an array sized above the collection) runs nothing, exits 0, and says so.
        let beyond = try await RoentgenCLI.run(["batch", "run", "-o", folder.appendingPathComponent("beyond").path, "--input", foil.path,
                                                "--verb", "xas", "--shard", "5/100"])
        #expect(beyond.status == 0 && beyond.stderr.contains("note: shard 5/100 holds none of the plan's 1 items"), "\(beyond.status) \(beyond.stderr)")

        // One item fails (the step refuses it), one works: the run says so and exits 0.
        let mixed = folder.appendingPathComponent("mixed")
        let bad = folder.appendingPathComponent("empty.xdi")
        try "".write(to: bad, atomically: true, encoding: .utf8)
        let m = try await RoentgenCLI.run(["batch", "run", "-o", mixed.path, "--input", foil.path, "--input", bad.path, "--verb", "xas", "--json"])
        #expect(m.status == 0, "\(m.stderr)")
        let mixedReport = try #require(try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as? [String: Any])
        #expect(mixedReport["ok"] as? Int == 1 && mixedReport["failed"] as? Int == 1, "\(m.stdout)")
        #expect(contents(mixed.appendingPathComponent("errors.jsonl")).contains("empty.xdi"))
    }

    /// `top: -1` trapped in the ranking's prefix and `max_shift: -1` in the identification, ending the whole
    /// run with a crash: now the plan is refused before anything runs, naming the option (and the plan's line).
    @Test func identifyOptionsOutOfRangeAreRefusedBeforeTheRun() async throws {
        guard let pattern = SharedData.url(Self.lab6), let cifs = SharedData.url("xrd/cif/common") else { print(SharedData.missing(Self.lab6)); return }
        let folder = temporaryFolder("identify-options")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (option, said) in [("top=-1", "option 'top' of 'xrd identify' is -1; expected 1…1000"), ("top=1001", "is 1001"),
                               ("max_shift=-1", "option 'max_shift' of 'xrd identify' is -1; expected 0…2"),
                               ("range=90:5", "option 'range'"), ("range=5:500", "0 ≤ start < end ≤ 180")] {
            let run = folder.appendingPathComponent(option.replacingOccurrences(of: "=", with: "_"))
            let r = try await RoentgenCLI.run(["batch", "run", "-o", run.path, "--input", pattern.path, "--verb", "xrd identify",
                                               "--option", "candidates=\(cifs.path)", "--option", option])
            #expect(r.status == 1 && r.stdout.isEmpty && r.stderr.contains(said), "\(option): status \(r.status), \(r.stderr.suffix(300))")
            #expect(!FileManager.default.fileExists(atPath: run.path), "\(option): the run folder was created")
        }
        // In a plan file the error names the plan and the option's line.
        let plan = folder.appendingPathComponent("plan.yaml")
        try """
        inputs:
          - \(pattern.path)
        step:
          verb: xrd identify
          options:
            candidates: \(cifs.path)
            top: -1
        """.write(to: plan, atomically: true, encoding: .utf8)
        let r = try await RoentgenCLI.run(["batch", "run", plan.path, "-o", folder.appendingPathComponent("planned").path])
        #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains("plan.yaml:7") && r.stderr.contains("option 'top'"), "\(r.stderr)")
    }

    /// `batch slurm --shards 9223372036854775807` wrote a 9.2·10¹⁸-task array for a 64-item plan.
    @Test func slurmRefusesMoreShardsThanItems() async throws {
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd/bruker_raw")); return }
        let folder = temporaryFolder("slurm-shards")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (plan, loaded) = try xrdConvertPlan(in: folder, include: ["bruker_raw/*"])
        let items = try BatchInputs.items(of: loaded).count
        let r = try await RoentgenCLI.run(["batch", "slurm", plan.path, "--shards", "9223372036854775807", "-o", folder.appendingPathComponent("run").path])
        #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains("--shards 9223372036854775807: the plan has \(items) items; at most \(items) shards"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/batch.sbatch").path))
        let ok = try await RoentgenCLI.run(["batch", "slurm", plan.path, "--shards", "\(items)", "-o", folder.appendingPathComponent("run").path])
        #expect(ok.status == 0 && ok.stdout.contains("(\(items) array tasks"), "\(ok.stderr)")
    }
}
