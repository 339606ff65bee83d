import Foundation
import XrayCore
import Yams

/// Where a batch's items come from. Paths are relative to the plan's folder.
public struct BatchInputSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Every file under a folder (recursively unless `recursive: false`), hidden files left out.
        case folder
        /// Files matching a pattern (`*`, `?`, `**` for any depth), e.g. `data/**/*.xy`.
        case glob
        /// Every file entry of a zip or tar archive (`.tar.gz` too): each entry is one item.
        case archive
        /// A text file naming one path per line (relative to the manifest; `#` comments).
        case manifest
        /// One file.
        case file
        /// The files of a record fetched with `roentgen fetch` (`record: zenodo:7085903`, or its
        /// DOI), taken from the download cache after re-checking each file's SHA-256.
        case record
    }

    public var kind: Kind
    public var path: String
    /// Only entries whose path (relative to the input) matches one of these patterns (all if empty).
    public var include: [String]
    /// Entries whose relative path matches one of these patterns are left out.
    public var exclude: [String]
    public var recursive: Bool
    /// Line of the entry in the plan.
    public var line: Int?

    public init(kind: Kind, path: String, include: [String] = [], exclude: [String] = [], recursive: Bool = true, line: Int? = nil) {
        self.kind = kind
        self.path = path
        self.include = include
        self.exclude = exclude
        self.recursive = recursive
        self.line = line
    }
}

/// Slurm resources of the array job `roentgen batch slurm` writes.
public struct SlurmResources: Sendable, Equatable {
    public var partition: String?
    /// Wall time limit, Slurm syntax (`1:00:00`).
    public var time = "1:00:00"
    public var cpusPerTask = 1
    /// Memory per task, Slurm syntax (`2G`).
    public var mem = "2G"
    public var account: String?
    public var jobName: String?
    public init() {}
}

/// A batch plan: inputs, one step, an output folder.
///
/// ```yaml
/// inputs:
///   - folder: ../data/xrd          # every file below (recursive)
///     exclude: ["reference/**", "*.md"]
///   - glob: more/*.xy
///   - archive: patterns.zip
///   - manifest: files.txt
///   - record: zenodo:7085903       # the files `roentgen fetch zenodo:7085903` put in the cache
/// step:
///   verb: convert                  # read | convert | xas | xrd identify
///   options: {to: xy}
/// output: out/xy                   # default for -o
/// slurm: {time: "0:30:00", mem: 2G, cpus_per_task: 1}
/// ```
public struct BatchPlan: Sendable {
    /// The plan file (for messages); `(flags)` for a plan built from command-line flags.
    public var file: String
    /// The folder relative paths start from (the plan file's folder).
    public var base: URL
    public var inputs: [BatchInputSpec]
    public var step: BatchStep
    /// Output folder named by the plan, relative to `base`.
    public var output: String?
    public var slurm = SlurmResources()
    /// The plan's `name:` (the Slurm job name unless `slurm.job_name` says otherwise).
    public var name: String?
    /// The download cache `record:` inputs are taken from (nil: the one `roentgen fetch` uses,
    /// `$XDG_CACHE_HOME/roentgen`, else `~/.cache/roentgen`).
    public var downloadCache: URL?

    public init(file: String, base: URL, inputs: [BatchInputSpec], step: BatchStep, output: String? = nil) {
        self.file = file
        self.base = base
        self.inputs = inputs
        self.step = step
        self.output = output
    }

    /// The plan in the YAML file at `url`.
    public static func load(_ url: URL) throws -> BatchPlan {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw RoentgenError(.io, "plan file not found or not readable", file: url.path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RoentgenError(.badFile, "plan is not UTF-8 text", file: url.path)
        }
        return try parse(text, file: url.path, base: url.deletingLastPathComponent().standardizedFileURL)
    }

    /// SHA-256 of the step (verb and options): shards of one run share it.
    public var digest: String { SHA256.hex(Data(step.canonical.utf8)) }

    /// Parses a plan's YAML `text`; errors name `file` and the line at fault.
    public static func parse(_ text: String, file: String, base: URL) throws -> BatchPlan {
        func fail(_ message: String, _ node: Node?) -> RoentgenError {
            RoentgenError(.badParameter, message, file: file, line: node?.mark?.line)
        }
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else { throw fail("the plan is empty; it needs inputs and a step", nil) }
            root = composed
        } catch let error as RoentgenError {
            throw error
        } catch let error as YamlError {
            throw RoentgenError(.badFile, "not valid YAML: \(error)", file: file, line: Self.line(of: error))
        }
        guard let top = root.mapping else { throw fail("the plan must be a mapping with inputs, step and output", root) }
        var inputs: [BatchInputSpec] = []
        var step: BatchStep?
        var output: String?
        var slurm = SlurmResources()
        var name: String?
        for (keyNode, value) in top {
            guard let key = keyNode.string else { throw fail("keys must be strings", keyNode) }
            switch key {
            case "inputs", "input":
                let entries = value.sequence.map(Array.init) ?? [value]
                for entry in entries { inputs.append(try input(entry, fail: fail)) }
            case "step":
                step = try parseStep(value, file: file, fail: fail)
            case "output":
                guard let s = value.string, !s.isEmpty else { throw fail("output must be a folder path", value) }
                output = s
            case "slurm":
                slurm = try parseSlurm(value, fail: fail)
            case "name":
                name = value.string
            case "description":
                break
            default:
                throw fail("unknown key '\(key)' in the plan; expected inputs, step, output, slurm, name", keyNode)
            }
        }
        guard !inputs.isEmpty else { throw fail("the plan names no inputs (inputs: a list of folder/glob/archive/manifest/file/record entries)", root) }
        guard let step else { throw fail("the plan names no step (step: {verb: convert, options: {to: xy}})", root) }
        var plan = BatchPlan(file: file, base: base, inputs: inputs, step: step, output: output)
        plan.slurm = slurm
        plan.name = name
        return plan
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func strings(_ node: Node, fail: (String, Node?) -> RoentgenError) throws -> [String] {
        if let s = node.scalar?.string { return [s] }
        guard let seq = node.sequence else { throw fail("expected a string or a list of strings", node) }
        return try seq.map { item in
            guard let s = item.scalar?.string else { throw fail("expected a string", item) }
            return s
        }
    }

    private static func input(_ node: Node, fail: (String, Node?) -> RoentgenError) throws -> BatchInputSpec {
        if let path = node.scalar?.string {
            // A bare path: a folder, an archive or a file, told apart when the plan runs.
            return BatchInputSpec(kind: .file, path: path, line: node.mark?.line)
        }
        guard let map = node.mapping else { throw fail("an input is a path or a mapping such as {folder: data, exclude: [\"*.md\"]}", node) }
        var spec: BatchInputSpec?
        var include: [String] = [], exclude: [String] = [], recursive = true
        for (k, v) in map {
            guard let key = k.string else { throw fail("keys must be strings", k) }
            if let kind = BatchInputSpec.Kind(rawValue: key) {
                guard spec == nil else { throw fail("an input names one of folder, glob, archive, manifest, file, record", k) }
                guard let path = v.scalar?.string, !path.isEmpty else { throw fail(kind == .record ? "record must be a record id (zenodo:7085903) or a DOI" : "\(key) must be a path", v) }
                spec = BatchInputSpec(kind: kind, path: path, line: k.mark?.line)
            } else if key == "include" {
                include = try strings(v, fail: fail)
            } else if key == "exclude" {
                exclude = try strings(v, fail: fail)
            } else if key == "recursive" {
                guard let b = v.scalar.flatMap({ Bool.construct(from: $0) }) else { throw fail("recursive must be true or false", v) }
                recursive = b
            } else {
                throw fail("unknown key '\(key)' in an input; expected folder, glob, archive, manifest, file or record, with include, exclude, recursive", k)
            }
        }
        guard var found = spec else { throw fail("an input must name folder, glob, archive, manifest, file or record", node) }
        found.include = include
        found.exclude = exclude
        found.recursive = recursive
        return found
    }

    private static func parseStep(_ node: Node, file: String, fail: (String, Node?) -> RoentgenError) throws -> BatchStep {
        guard let map = node.mapping else { throw fail("step must be a mapping: {verb: convert, options: {to: xy}}", node) }
        var verbNode: Node?
        var optionPairs: [(Node, Node)] = []
        for (k, v) in map {
            guard let key = k.string else { throw fail("keys must be strings", k) }
            switch key {
            case "verb": verbNode = v
            case "options":
                guard let options = v.mapping else {
                    if v.scalar?.string == "" || v.null != nil { continue }
                    throw fail("options must be a mapping of option names to values", v)
                }
                optionPairs += options.map { ($0.key, $0.value) }
            default:
                throw fail("unknown key '\(key)' in step; expected verb and options", k)
            }
        }
        guard let verbNode, let name = verbNode.scalar?.string else { throw fail("step names no verb (verb: read | convert | xas | xrd identify)", node) }
        guard let verb = BatchVerb(name: name) else {
            throw fail("unknown verb '\(name)'; expected one of: \(BatchVerb.allCases.map(\.rawValue).joined(separator: ", "))", verbNode)
        }
        var step = BatchStep(verb: verb, line: verbNode.mark?.line)
        for (k, v) in optionPairs {
            guard let key = k.string else { throw fail("option names must be strings", k) }
            let name = key.replacingOccurrences(of: "-", with: "_")
            guard verb.options[name] != nil else {
                throw fail("unknown option '\(key)' for verb '\(verb.rawValue)'; it accepts: \(verb.options.keys.sorted().joined(separator: ", "))", k)
            }
            if let seq = v.sequence {
                guard verb.options[name] == .list else { throw fail("option '\(key)' takes one value, not a list", v) }
                step.options[name] = .list(try seq.map { item in
                    guard let s = item.scalar?.string else { throw fail("expected a string", item) }
                    return s
                })
            } else if let s = v.scalar?.string {
                step.options[name] = try BatchStep.value(s, option: name, verb: verb, file: file, line: v.mark?.line)
            } else {
                throw fail("option '\(key)' must be a value", v)
            }
        }
        for name in verb.required where step.options[name] == nil {
            throw fail("verb '\(verb.rawValue)' needs the option '\(name)'", verbNode)
        }
        return step
    }

    private static func parseSlurm(_ node: Node, fail: (String, Node?) -> RoentgenError) throws -> SlurmResources {
        guard let map = node.mapping else { throw fail("slurm must be a mapping (partition, time, mem, cpus_per_task, account, job_name)", node) }
        var r = SlurmResources()
        for (k, v) in map {
            guard let key = k.string, let value = v.scalar?.string else { throw fail("slurm entries are key: value", k) }
            switch key {
            case "partition": r.partition = value
            case "time": r.time = value
            case "mem": r.mem = value
            case "account": r.account = value
            case "job_name": r.jobName = value
            case "cpus_per_task":
                guard let n = Int(value), n > 0 else { throw fail("cpus_per_task must be a positive integer", v) }
                r.cpusPerTask = n
            default: throw fail("unknown key '\(key)' in slurm; expected partition, time, mem, cpus_per_task, account, job_name", k)
            }
        }
        return r
    }
}
