import ArgumentParser
import Diffraction
import Foundation
import XrayCore
import XrayFormats

/// `--shard i/N` → (i, N) with 1 ≤ i ≤ N.
func parseShard(_ text: String) throws -> (index: Int, count: Int) {
    let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, i >= 1, i <= n else {
        throw RoentgenError.badParameter("--shard '\(text)' not understood; expected i/N with 1 ≤ i ≤ N, e.g. 3/16")
    }
    // (i − 1)·total must not overflow, and a million jobs is beyond any array scheduler's limit.
    guard n <= 1_000_000 else { throw RoentgenError.badParameter("--shard '\(text)': at most 1000000 shards") }
    return (i, n)
}

/// The contiguous block of `total` items that shard `i` of `n` takes: items ⌊(i−1)·total/n⌋ ..< ⌊i·total/n⌋.
/// Concatenating the shards 1…N in order gives the unsharded order exactly.
func shardRange(total: Int, index: Int, count: Int) -> Range<Int> {
    (total * (index - 1) / count)..<(total * index / count)
}

struct XRDLibrary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "library",
        abstract: "Build a reference library (.rxl) from CIFs (folders walked recursively, zip/tar archives), in shards, or merge libraries.",
        discussion: """
        CIFs are simulated in parallel (all cores). --shard i/N builds only the i-th of N contiguous blocks of the sorted \
        CIF list (run the N shards as separate jobs, e.g. a Slurm array); `roentgen xrd library shard*.rxl -o all.rxl` \
        merges them in the order given, and shards 1…N merged in order equal the unsharded build. Each entry keeps its \
        source (COD id and DOI where the CIF gives _cod_database_code / _journal_paper_doi). The output is read \
        memory-mapped by `xrd identify --candidates LIB.rxl`; libraries above 50,000 references are screened by \
        fingerprints of each reference's 12 strongest lines first.
        """
    )

    @Argument(help: "CIF files, folders (recursive), zip/tar archives of CIFs, or .rxl libraries to merge.") var inputs: [String]
    @Option(name: .shortAndLong, help: "Output library file (.rxl).") var output: String
    @Option(help: "Build only shard i of N (contiguous blocks of the sorted CIF list), e.g. 2/8.") var shard: String?
    @Flag(help: "Print JSON.") var json = false

    /// One CIF to simulate: a file, or an archive entry already parsed.
    enum Item { case file(String), structure(name: String, CrystalStructure) }

    func run() async throws {
        let (shardIndex, shardCount) = try shard.map(parseShard) ?? (1, 1)
        var merged = ReferenceLibrary()
        var items: [Item] = []
        var mergedInputs = 0
        for input in inputs {
            guard FileManager.default.fileExists(atPath: input) else { throw RoentgenError(.io, "no such file or folder", file: input) }
            if InputFiles.isFolder(input) {
                let files = try collectFilesRecursively([input]).filter { $0.lowercased().hasSuffix(".cif") }
                items += files.map { .file($0) }
            } else if input.lowercased().hasSuffix(".rxl") {
                merged.append(contentsOf: try ReferenceLibrary(serialized: try mappedFile(input), file: input))
                mergedInputs += 1
            } else if input.lowercased().hasSuffix(".cif") {
                items.append(.file(input))
            } else {
                let data = try FormatRegistry.read(URL(fileURLWithPath: input))
                guard !data.structures.isEmpty else {
                    throw RoentgenError(.badData, "no crystal structures in the file (format \(data.format)); expected CIFs, folders or archives of CIFs, or .rxl libraries", file: input)
                }
                items += data.structures.map { .structure(name: "\(input)!/\($0.name)", $0) }
            }
        }
        let total = items.count
        let block = shardRange(total: total, index: shardIndex, count: shardCount)
        let mine = Array(items[block])
        // Simulate in parallel, keep the input order.
        struct Built: @unchecked Sendable { var library: ReferenceLibrary?; var error: String? }
        final class Slots: @unchecked Sendable { var values: [Built]; var done = 0; init(_ n: Int) { values = Array(repeating: Built(), count: n) } }
        let slots = Slots(mine.count)
        let lock = NSLock()
        let started = Date()
        let report = mine.count >= 2000 && !json
        DispatchQueue.concurrentPerform(iterations: max(1, ProcessInfo.processInfo.activeProcessorCount * 4)) { worker in
            let workers = max(1, ProcessInfo.processInfo.activeProcessorCount * 4)
            var i = worker
            while i < mine.count {
                var one = ReferenceLibrary()
                var failure: String?
                do {
                    switch mine[i] {
                    case .file(let path):
                        guard let bytes = FileManager.default.contents(atPath: path) else { throw RoentgenError(.io, "file is not readable", file: path) }
                        try one.append(name: path, source: CIFSourceTags.describe(bytes), structure: try CIF.readStructure(data: bytes, file: path))
                    case .structure(let name, let structure):
                        try one.append(name: name, structure: structure)
                    }
                } catch {
                    failure = InputFiles.describe(error, for: { if case .file(let p) = mine[i] { return p }; if case .structure(let n, _) = mine[i] { return n }; return "" }())
                }
                lock.lock()
                slots.values[i] = Built(library: failure == nil ? one : nil, error: failure)
                slots.done += 1
                if report && slots.done % 5000 == 0 {
                    Output.note(String(format: "%d / %d structures (%.0f s)", slots.done, mine.count, Date().timeIntervalSince(started)))
                }
                lock.unlock()
                i += workers
            }
        }
        var library = merged
        var skipped: [String] = []
        for slot in slots.values {
            if let one = slot.library { library.append(contentsOf: one) } else if let e = slot.error { skipped.append(e); Output.note("skipped \(e)") }
        }
        guard library.count > 0 || (total > 0 && mine.isEmpty) else {
            throw RoentgenError.badParameter("no readable structures among \(inputs.joined(separator: ", ")) (\(skipped.count) skipped)")
        }
        guard library.bins.count < Int(Int32.max) else {
            throw RoentgenError.badParameter("\(library.bins.count) lines exceed one library file's limit (2³¹); build in shards and query them separately")
        }
        let bytes = library.serialized()
        do { try bytes.write(to: URL(fileURLWithPath: output)) } catch {
            throw RoentgenError(.io, "cannot write: \(error.localizedDescription)", file: output)
        }
        if json {
            try printJSONObject([
                "library": output, "references": library.count, "lines": library.bins.count, "bytes": bytes.count,
                "structures": total, "shard": ["index": shardIndex, "count": shardCount, "first": block.lowerBound, "end": block.upperBound],
                "merged_libraries": mergedInputs, "skipped": skipped,
            ] as [String: Any])
            return
        }
        let shardText = shardCount > 1 ? " (shard \(shardIndex)/\(shardCount): structures \(block.lowerBound)..<\(block.upperBound) of \(total))" : ""
        print("\(output): \(library.count) references, \(library.bins.count) lines\(shardText)" + (skipped.isEmpty ? "" : ", \(skipped.count) skipped"))
    }
}
