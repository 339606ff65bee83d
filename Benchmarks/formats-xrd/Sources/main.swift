import Foundation
import XrayFormats

// usage: formats-xrd-bench DATA_ROOT FILE_LIST [SECONDS_PER_FILE]
// Prints `file<TAB>format<TAB>points<TAB>seconds per read` (best of 5 batches, each ≥ budget/5).
// Times are CPU time of this thread (CLOCK_THREAD_CPUTIME_ID), so other load on the machine
// does not inflate them; anchors.py measures the anchors the same way (time.thread_time).
/// CPU seconds used by this thread.
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: formats-xrd-bench DATA_ROOT FILE_LIST [SECONDS_PER_FILE]\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: args[1])
let budget = args.count > 3 ? Double(args[3]) ?? 0.5 : 0.5
let list = (try? String(contentsOfFile: args[2], encoding: .utf8)) ?? ""
for line in list.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
    let relative = String(line)
    let url = root.appendingPathComponent(relative)
    do {
        let first = try FormatRegistry.read(url)
        if let reps = ProcessInfo.processInfo.environment["BENCH_REPS"].flatMap({ Int($0) }) {
            // Fixed work for `perf stat -e cycles:u` (deterministic amount, unlike the timed batches).
            for _ in 0..<reps { _ = try FormatRegistry.read(url) }
            continue
        }
        let points = first.scans.reduce(0) { $0 + ($1.columns["two_theta"]?.count ?? 0) }
        // Reads per batch so that one batch takes about budget/5.
        var perBatch = 1
        while true {
            let t0 = cpuNow()
            for _ in 0..<perBatch { _ = try FormatRegistry.read(url) }
            if (cpuNow() - t0) >= budget / 5 || perBatch >= 1 << 20 { break }
            perBatch *= 2
        }
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = cpuNow()
            for _ in 0..<perBatch { _ = try FormatRegistry.read(url) }
            best = min(best, (cpuNow() - t0) / Double(perBatch))
        }
        if ProcessInfo.processInfo.environment["BENCH_DETAIL"] != nil {
            // Where the time goes: detection alone, and the detected reader alone on bytes in memory.
            let bytes = try Data(contentsOf: url)
            let reader = FormatRegistry.detect(bytes, file: relative)!
            var t0 = cpuNow()
            for _ in 0..<perBatch { _ = FormatRegistry.detect(bytes, file: relative) }
            let detect = (cpuNow() - t0) / Double(perBatch)
            t0 = cpuNow()
            for _ in 0..<perBatch { _ = try reader.read(bytes, file: relative) }
            let parse = (cpuNow() - t0) / Double(perBatch)
            print("\(relative)\t\(first.format)\t\(points)\t\(best)\tdetect \(detect)\tparse \(parse)")
            let head = bytes.prefix(65_536)
            let suffix = url.pathExtension.lowercased()
            for r in FormatRegistry.readers {
                let t = cpuNow()
                for _ in 0..<perBatch { _ = r.sniff(head: head, suffix: suffix) }
                let dt = (cpuNow() - t) / Double(perBatch)
                if dt > 2e-6 { print("    sniff \(r.id): \(Int(dt * 1e6)) us") }
            }
        } else {
            print("\(relative)\t\(first.format)\t\(points)\t\(best)")
        }
    } catch {
        print("\(relative)\tFAIL\t0\tnan\t\(error)")
    }
}
