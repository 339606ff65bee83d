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

/// A ustar archive of `entries` (name, bytes), for the archive mode.
func tarArchive(_ entries: [(String, Data)]) -> Data {
    var out = Data()
    for (name, data) in entries {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ at: Int) { for (k, b) in text.utf8.enumerated() { h[at + k] = b } }
        put(String(name.utf8.prefix(99)) ?? "entry", 0)
        put("0000644", 100); put("0000000", 108); put("0000000", 116)
        put(String(format: "%011o", data.count), 124); put("00000000000", 136)
        h[156] = UInt8(ascii: "0"); put("ustar", 257); put("00", 263)
        for k in 148..<156 { h[k] = 0x20 }
        put(String(format: "%06o", h.reduce(0) { $0 + Int($1) }) + "\0 ", 148)
        out.append(contentsOf: h); out.append(data); out.append(Data(count: (512 - data.count % 512) % 512))
    }
    out.append(Data(count: 1024))
    return out
}

if ProcessInfo.processInfo.environment["BENCH_ARCHIVE"] != nil {
    // Archive mode: every listed file read from one tar in memory, against the same files read
    // one by one from memory (the archive's own cost: headers, per-entry detection, naming).
    let list = (try? String(contentsOfFile: args[2], encoding: .utf8)) ?? ""
    let files = list.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
    let entries = files.compactMap { f in (try? Data(contentsOf: root.appendingPathComponent(f))).map { (f, $0) } }
    let tar = tarArchive(entries)
    func best(_ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = cpuNow()
            for _ in 0..<10 { try body() }
            best = min(best, (cpuNow() - t0) / 10)
        }
        return best
    }
    var scans = 0
    let one = try best { scans = 0; for (f, d) in entries { scans += (try? FormatRegistry.read(d, file: f))?.scans.count ?? 0 } }
    var archived = 0
    let all = try best { archived = try FormatRegistry.read(tar, file: "all.tar").scans.count }
    print("files one by one (in memory): \(entries.count) files, \(scans) scans, \(String(format: "%.3f", one * 1e3)) ms")
    print("same files in one tar:        \(archived) scans, \(String(format: "%.3f", all * 1e3)) ms (archive overhead \(String(format: "%+.1f", (all / one - 1) * 100)) %)")
    exit(0)
}
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
