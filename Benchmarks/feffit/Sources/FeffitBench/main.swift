// Times Feffit.fit on each examples/feffit/*.yaml (files read once, outside the timing), and apart
// from it the first read of the result's output arrays (made on demand; Larch makes them in feffit).
// Usage: FeffitBench EXAMPLES_DIR REPEATS [CASE...]; prints one 'JSON {...}' line per case with the
// median time per fit in ms, the median CPU time of the output arrays, and the fit's statistics.
import Foundation
import RoentgenOperations
import XAS
import XrayCore
import XrayFormats

let args = CommandLine.arguments
let folder = args.count > 1 ? args[1] : "examples/feffit"
let repeats = args.count > 2 ? Int(args[2]) ?? 5 : 5
let only = Set(args.dropFirst(3))
let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
for name in files {
    let id = String(name.dropLast(5))
    if !only.isEmpty && !only.contains(id) { continue }
    let path = (folder as NSString).appendingPathComponent(name)
    let recipe = try FeffitFile.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
    let datasets = try recipe.datasets(readPath: { try FeffPathReader.read(URL(fileURLWithPath: $0)) }, readData: { file in
        let scan = try FormatRegistry.read(URL(fileURLWithPath: file)).scans[0]
        return (scan.columns.values[0], scan.columns["chi"] ?? scan.columns.values[1])
    })
    func cpu() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
    }
    var times: [Double] = [], cpuTimes: [Double] = [], outputTimes: [Double] = []
    var last: FeffitResult?
    for _ in 0..<repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpu()
        let result = try Feffit.fit(datasets: datasets, parameters: recipe.parameters, options: recipe.options)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        let c1 = cpu()
        cpuTimes.append(c1 - c0)
        // The output arrays (each path's χ(k), χ(R) of data and model), made when first read; Larch's
        // feffit makes them inside the fit, so they are timed too and reported apart.
        _ = result.datasets
        outputTimes.append(cpu() - c1)
        last = result
    }
    times.sort()
    cpuTimes.sort()
    outputTimes.sort()
    let s = last!.statistics
    let params = Dictionary(uniqueKeysWithValues: last!.variables.map { ($0.parameter.name, [$0.parameter.value, $0.stderr ?? .nan]) })
    let doc: [String: Any] = ["id": id, "roentgen_ms": times[times.count / 2], "roentgen_cpu_ms": cpuTimes[cpuTimes.count / 2],
                              "outputs_cpu_ms": outputTimes[outputTimes.count / 2], "nfev": s.nFunctionCalls,
                              "chi_square": s.chiSquare, "rfactor": s.rfactor, "n_idp": s.nIndependent,
                              "params": params.mapValues { $0.map { $0.isFinite ? $0 : 0 } }]
    print("JSON " + String(decoding: try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys]), as: UTF8.self))
}
