import Foundation
import XrayFormats

// usage: formats-hdf5-bench [--seconds S] FILE...
// Prints `roentgen<TAB>file<TAB>scans<TAB>seconds per read`: best of 5 batches, each ≥ S/5,
// CPU time of this thread (CLOCK_THREAD_CPUTIME_ID), as anchor.py measures h5py. One read is
// `FormatRegistry.read(url)`: file bytes, detection, the whole object tree with every attribute,
// every 1-D dataset of a scan decoded, scans and metadata built.
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

var args = Array(CommandLine.arguments.dropFirst())
var budget = 0.5
if let i = args.firstIndex(of: "--seconds"), i + 1 < args.count {
    budget = Double(args[i + 1]) ?? 0.5
    args.removeSubrange(i...(i + 1))
}
for path in args {
    let url = URL(fileURLWithPath: path)
    do {
        let scans = try FormatRegistry.read(url).scans.count
        var perBatch = 1
        while true {
            let t0 = cpuNow()
            for _ in 0..<perBatch { _ = try FormatRegistry.read(url) }
            if cpuNow() - t0 >= budget / 5 || perBatch >= 1 << 20 { break }
            perBatch *= 2
        }
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = cpuNow()
            for _ in 0..<perBatch { _ = try FormatRegistry.read(url) }
            best = min(best, (cpuNow() - t0) / Double(perBatch))
        }
        print("roentgen\t\(path)\t\(scans)\t\(best)")
    } catch {
        print("roentgen\t\(path)\t0\tFAIL\t\(error)")
    }
}
