import Foundation
import XrayCore

/// The sbatch array script of a plan: one array task per shard (`--array=0-(N-1)`, so task ids
/// are ranks), the resources of the plan's `slurm:` section, one log file per task under
/// `RUN/logs/`, and the exact `roentgen batch run` command each task runs (its shard comes from
/// `SLURM_ARRAY_TASK_ID`; `--shards N` makes a mismatched array fail rather than skip items).
public struct SlurmScript: Sendable {
    public var plan: BatchPlan
    /// Absolute path of the plan file.
    public var planPath: String
    /// Absolute path of the run folder.
    public var run: String
    public var shards: Int
    /// Absolute path of the `roentgen` executable.
    public var executable: String

    /// `items`: the plan's number of items, when known; more shards than items are refused (a shard
    /// without items is an array task that does nothing).
    public init(plan: BatchPlan, planPath: String, run: String, shards: Int, executable: String, items: Int? = nil) throws {
        guard shards >= 1 else { throw RoentgenError.badParameter("--shards must be at least 1, got \(shards)") }
        if let items, shards > max(items, 1) {
            throw RoentgenError.badParameter("--shards \(shards): the plan has \(items) item\(items == 1 ? "" : "s"); at most \(max(items, 1)) shards (one array task per shard)")
        }
        self.plan = plan
        self.planPath = planPath
        self.run = run
        self.shards = shards
        self.executable = executable
    }

    /// `text` quoted for a POSIX shell.
    static func quote(_ text: String) -> String {
        text.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+:=,@%".contains($0) }) && !text.isEmpty
            ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The folder of the task logs.
    public var logs: String { run + "/logs" }

    /// The command every task runs.
    public var command: [String] { [executable, "batch", "run", planPath, "-o", run, "--shards", String(shards)] }

    public var text: String {
        let r = plan.slurm
        var lines = ["#!/bin/bash",
                     "#SBATCH --job-name=\(r.jobName ?? plan.name.map { "roentgen-" + $0 } ?? "roentgen-batch")",
                     "#SBATCH --array=0-\(shards - 1)",
                     "#SBATCH --output=\(logs)/%A_%a.out",
                     "#SBATCH --error=\(logs)/%A_%a.err",
                     "#SBATCH --ntasks=1",
                     "#SBATCH --cpus-per-task=\(r.cpusPerTask)",
                     "#SBATCH --mem=\(r.mem)",
                     "#SBATCH --time=\(r.time)"]
        if let p = r.partition { lines.append("#SBATCH --partition=\(p)") }
        if let a = r.account { lines.append("#SBATCH --account=\(a)") }
        lines += [
            "# Written by `roentgen batch slurm` for \(planPath) (step: \(plan.step.canonical)).",
            "# Each array task runs one shard; a rerun of a task resumes it. When all are done:",
            "#   roentgen batch status \(Self.quote(run)) && roentgen batch merge \(Self.quote(run))",
            "set -euo pipefail",
            "exec " + command.map(Self.quote).joined(separator: " "),
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// Submits `script` with `sbatch --parsable` and returns the job id; an error when sbatch is
    /// absent or refuses (its message included).
    public static func submit(_ script: URL) throws -> String {
        guard let sbatch = which("sbatch") else {
            throw RoentgenError(.notFound, "sbatch not found on PATH: the script was written; submit it where Slurm runs", file: script.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sbatch)
        process.arguments = ["--parsable", script.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw RoentgenError(.io, "cannot run sbatch (\(error.localizedDescription))", file: script.path)
        }
        let output = out.fileHandleForReading.readDataToEndOfFile(), message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !text.isEmpty else {
            throw RoentgenError(.io, "sbatch failed (status \(process.terminationStatus)): \(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))", file: script.path)
        }
        return String(text.split(separator: ";").first ?? Substring(text))
    }

    /// The full path of `program` on PATH, or nil.
    public static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
