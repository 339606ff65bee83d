import ArgumentParser
import Batch
import Foundation
import XrayCore

/// `roentgen batch …`: a plan's step over a whole collection, in shards.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run a step over whole collections: sharded (Slurm arrays, Kubernetes indexed jobs), resumable, merged.",
        subcommands: [BatchRun.self, BatchMergeCommand.self, BatchStatusCommand.self, BatchSlurm.self]
    )
}

/// Loads the plan file, or builds one from the flag form (`--input … --verb … --option k=v`).
func batchPlan(_ path: String?, inputs: [String], verb: String?, options: [String]) throws -> BatchPlan {
    if let path {
        guard inputs.isEmpty, verb == nil, options.isEmpty else {
            throw RoentgenError.badParameter("give either a plan file or --input/--verb/--option, not both")
        }
        return try BatchPlan.load(URL(fileURLWithPath: path))
    }
    guard !inputs.isEmpty, let verb else {
        throw RoentgenError.badParameter("name a plan file (PLAN.yaml), or the flag form: --input PATH… --verb convert --option to=xy")
    }
    guard let v = BatchVerb(name: verb) else {
        throw RoentgenError.badParameter("--verb '\(verb)' unknown; expected one of: \(BatchVerb.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    var step = BatchStep(verb: v)
    for option in options {
        guard let eq = option.firstIndex(of: "=") else { throw RoentgenError.badParameter("--option '\(option)' must be NAME=VALUE") }
        let name = option[..<eq].replacingOccurrences(of: "-", with: "_")
        step.options[name] = try BatchStep.value(String(option[option.index(after: eq)...]), option: name, verb: v, file: nil, line: nil)
    }
    for name in v.required where step.options[name] == nil { throw RoentgenError.badParameter("--verb \(v.rawValue) needs --option \(name)=…") }
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    return BatchPlan(file: "(flags)", base: cwd, inputs: inputs.map { BatchInputSpec(kind: .file, path: $0) }, step: step)
}

/// The run folder: `-o`, else the plan's `output:` (relative to the plan).
func batchRunFolder(_ output: String?, plan: BatchPlan) throws -> URL {
    if let output { return URL(fileURLWithPath: output).standardizedFileURL }
    guard let named = plan.output else { throw RoentgenError.badParameter("name the run folder with -o DIR (the plan has no output:)") }
    return URL(fileURLWithPath: named.hasPrefix("/") ? named : plan.base.appendingPathComponent(named).path).standardizedFileURL
}

struct BatchRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plan (or one shard of it) into a run folder; a rerun resumes.",
        discussion: """
        The shard comes from --shard i/N, else from Slurm (SLURM_ARRAY_TASK_ID, _MIN, _MAX, _STEP, _COUNT) \
        or Kubernetes (JOB_COMPLETION_INDEX with --shards N), else the whole plan runs in one process \
        and is merged at the end. Progress: a bar on a terminal, JSON lines on stderr otherwise.
        """)

    @Argument(help: "The plan (YAML).") var plan: String?
    @Option(name: .shortAndLong, help: "Run folder (default: the plan's output:).") var output: String?
    @Option(help: "This process's shard, i/N (0-based).") var shard: String?
    @Option(help: "Number of shards when the index comes from the environment (required with JOB_COMPLETION_INDEX).") var shards: Int?
    @Option(name: .customLong("input"), help: "Flag form: an input file or folder (repeat).") var inputs: [String] = []
    @Option(help: "Flag form: the verb (read, convert, xas, xrd identify).") var verb: String?
    @Option(name: .customLong("option"), help: "Flag form: a step option NAME=VALUE (repeat).") var options: [String] = []
    @Flag(help: "Print the run report as JSON.") var json = false

    func run() async throws {
        let plan = try batchPlan(self.plan, inputs: inputs, verb: verb, options: options)
        let folder = try batchRunFolder(output, plan: plan)
        let selection: ShardSelection
        if let shard {
            selection = try ShardSelection.parse(shard)
            if let shards, shards != selection.count { throw RoentgenError.badParameter("--shard \(shard) and --shards \(shards) disagree") }
        } else if let fromEnvironment = try ShardSelection.fromEnvironment(ProcessInfo.processInfo.environment, shards: shards) {
            selection = fromEnvironment
        } else if let shards, shards != 1 {
            throw RoentgenError.badParameter("--shards \(shards) without a shard index: give --shard i/\(shards), or run as a Slurm array task or Kubernetes indexed job")
        } else {
            selection = .single
        }
        let reporter = BatchProgressPrinter()
        let report = try BatchRunner.run(plan: plan, run: folder, shard: selection) { reporter.show($0) }
        reporter.finish()
        // An array sized above the collection leaves its last tasks nothing to do: fine for Slurm, but said.
        if report.items == 0 && report.planItems > 0 {
            FileHandle.standardError.write(Data("note: shard \(report.shard) holds none of the plan's \(report.planItems) items (more shards than items)\n".utf8))
        }
        if json {
            try Output.printJSON(report)
        } else {
            print("shard \(report.shard): \(report.items) of \(report.planItems) items: \(report.ok) ok (\(report.skipped) done before), \(report.failed) failed"
                  + (report.orphansDropped > 0 ? ", \(report.orphansDropped) unfinished record(s) of a killed run dropped" : "")
                  + String(format: " in %.2f s → %@", report.seconds, folder.path))
            if report.failed > 0 { print("failed items are listed in \(folder.path)/shards/*/done.log (and errors.jsonl after merge); a rerun retries them") }
        }
        if selection.count == 1 {
            let merged = try BatchMerge.merge(folder)
            if !json { print("merged: \(merged.results) (\(merged.ok) records), \(merged.errors) (\(merged.failed) failures)") }
        }
        // Some failed items are a collection's bad files (the run goes on, exit 0); every item failing
        // is a step that cannot work (a bad option value, the wrong verb): exit 1, after the records are written.
        if report.failed > 0 && report.ok == 0 {
            FileHandle.standardError.write(Data("error: all \(report.failed) item\(report.failed == 1 ? "" : "s") of shard \(report.shard) failed; the errors are in \(folder.path)/shards/*/done.log\(selection.count == 1 ? " and errors.jsonl" : "")\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// Progress of a shard on stderr: a bar on a terminal, else a JSON line at most twice a second.
final class BatchProgressPrinter: @unchecked Sendable {
    private let bar = ProgressBar(label: "batch")
    private let terminal = isatty(STDERR_FILENO) != 0
    private var last = Date.distantPast

    func show(_ p: BatchProgress) {
        if terminal {
            bar.update(Int64(p.done), Int64(p.total))
            return
        }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.5 || p.done == p.total else { return }
        last = now
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(p) { FileHandle.standardError.write(data + Data("\n".utf8)) }
    }

    func finish() { bar.finish() }
}

struct BatchMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge a run's shards into results.jsonl, errors.jsonl and summary.json (names missing or incomplete shards).")

    @Argument(help: "The run folder.") var folder: String
    @Flag(help: "Merge what is there even if shards are missing or incomplete.") var partial = false
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let report = try BatchMerge.merge(URL(fileURLWithPath: folder).standardizedFileURL, partial: partial)
        if json { try Output.printJSON(report); return }
        print("merged \(report.shards) shard\(report.shards == 1 ? "" : "s"): \(report.ok) records → \(report.results); \(report.failed) failures → \(report.errors)")
    }
}

struct BatchStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each shard of a run: items, ok, failed, pending; missing and incomplete shards (exit 1 if any).")

    @Argument(help: "The run folder.") var folder: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let status = try BatchStatus.of(URL(fileURLWithPath: folder).standardizedFileURL)
        if json {
            try Output.printJSON(status)
        } else {
            let n = status.shards ?? 0
            print("\(folder): \(n) shard\(n == 1 ? "" : "s"), \(status.ok) ok, \(status.failed) failed")
            func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
            print("  shard   items      ok  failed  pending  state")
            for s in status.present {
                print("  " + [right("\(s.shard)", 5), right(s.items.map(String.init) ?? "?", 6), right("\(s.ok)", 6), right("\(s.failed)", 6),
                              right(s.pending.map(String.init) ?? "?", 7)].joined(separator: "  ") + "  " + (s.complete ? "complete" : "incomplete"))
            }
            for problem in status.problems { print("  " + problem) }
        }
        if !status.problems.isEmpty { throw ExitCode.failure }
    }
}

struct BatchSlurm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write an sbatch array script for a plan (one task per shard) and submit it where sbatch exists.")

    @Argument(help: "The plan (YAML).") var plan: String
    @Option(help: "Number of shards (array tasks).") var shards: Int
    @Option(name: .shortAndLong, help: "Run folder (default: the plan's output:).") var output: String?
    @Option(help: "Where to write the script (default: RUN/batch.sbatch).") var script: String?
    @Flag(help: "Submit with sbatch.") var submit = false

    func run() async throws {
        let planURL = URL(fileURLWithPath: plan).standardizedFileURL
        let loaded = try BatchPlan.load(planURL)
        let folder = try batchRunFolder(output, plan: loaded)
        let executable = URL(fileURLWithPath: CommandLine.arguments[0].contains("/") ? CommandLine.arguments[0]
                                : (SlurmScript.which(CommandLine.arguments[0]) ?? CommandLine.arguments[0])).standardizedFileURL.path
        let sbatch = try SlurmScript(plan: loaded, planPath: planURL.path, run: folder.path, shards: shards, executable: executable,
                                     items: try BatchInputs.items(of: loaded).count)
        do { try FileManager.default.createDirectory(atPath: sbatch.logs, withIntermediateDirectories: true) } catch {
            throw RoentgenError(.io, "cannot create the log folder (\(error.localizedDescription))", file: sbatch.logs)
        }
        let scriptURL = URL(fileURLWithPath: script ?? folder.appendingPathComponent("batch.sbatch").path)
        try writeText(sbatch.text, to: scriptURL.path)
        print("wrote \(scriptURL.path) (\(shards) array tasks, logs in \(sbatch.logs))")
        if submit {
            let job = try SlurmScript.submit(scriptURL)
            print("submitted job \(job); follow it with `squeue -j \(job)` and `roentgen batch status \(folder.path)`, then `roentgen batch merge \(folder.path)`")
        }
    }
}
