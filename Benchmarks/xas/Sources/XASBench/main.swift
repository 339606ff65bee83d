// Times the XAS chain per reference spectrum: pre_edge + autobk + xftf (Larch's defaults) on the
// reference inputs, and separately read (the original file through FormatRegistry) + the chain.
// Prints one JSON line per spectrum ("JSON {…}") and checks χ(k)·k² against Larch's stored output.
import Foundation
import XAS
import XrayCore
import XrayFormats
import XrayNumerics

let args = CommandLine.arguments
let root = URL(fileURLWithPath: args.count > 1 ? args[1] : "../../../shared/data")
let repeats = args.count > 2 ? Int(args[2]) ?? 20 : 20
let index = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("xas/reference/index.json"))) as! [String: Any]
let ids = (index["spectra"] as! [[String: Any]]).map { $0["id"] as! String }

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }
/// CPU time of this process in ms (beside wall time: on a loaded machine a short run is less often
/// preempted than a long one, so wall-clock ratios favour the faster side).
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
}
func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.isEmpty ? .nan : (s[(s.count - 1) / 2] + s[s.count / 2]) / 2 }

if ProcessInfo.processInfo.environment["XAS_STAGES"] != nil {
    // Stage timing on one spectrum (development aid).
    let id = ProcessInfo.processInfo.environment["XAS_STAGES"]!
    let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("xas/reference/\(id).json"))) as! [String: Any]
    let input = ref["input"] as! [String: Any]
    let energy = input["energy"] as! [Double], mu = input["mu"] as! [Double]
    var t = [Double](repeating: 0, count: 5)
    for _ in 0..<2000 {
        var t0 = cpuNow()
        let g = try EnergyGrid.prepare(energy: energy, mu: mu); t[0] += cpuNow() - t0; t0 = cpuNow()
        let e0 = findE0(energy: g.energy, mu: g.mu); t[1] += cpuNow() - t0; t0 = cpuNow()
        let pre = try preEdge(energy: g.energy, mu: g.mu, parameters: PreEdgeParameters(e0: e0)); t[2] += cpuNow() - t0; t0 = cpuNow()
        let b = try autobk(energy: g.energy, mu: g.mu, e0: pre.e0, edgeStep: pre.edgeStep); t[3] += cpuNow() - t0; t0 = cpuNow()
        _ = try forwardTransform(k: b.k, chi: b.chi); t[4] += cpuNow() - t0
    }
    let g = try EnergyGrid.prepare(energy: energy, mu: mu)
    let pre = try preEdge(energy: g.energy, mu: g.mu)
    let b = try autobk(energy: g.energy, mu: g.mu, e0: pre.e0, edgeStep: pre.edgeStep)
    if ProcessInfo.processInfo.environment["XAS_FFT"] != nil {
        // FFT lengths the chain uses, alone (development aid).
        for n in [1024, 2048] {
            let plan = FFTPlan(count: n)!
            var re = (0..<n).map { sin(Double($0)) }, im = [Double](repeating: 0, count: n)
            let t0 = cpuNow()
            for _ in 0..<2000 { plan.forward(real: &re, imag: &im) }
            print("fft \(n): \(String(format: "%.4f", (cpuNow() - t0) / 2000)) ms")
        }
    }
    print(zip(["prepare", "find_e0", "pre_edge", "autobk", "xftf"], t).map { "\($0) \(String(format: "%.4f", $1 / 2000)) ms" }, "LM evaluations", b.evaluations, "nspl", b.nspl, "irbkg", b.irbkg)
    exit(0)
}

if let loops = ProcessInfo.processInfo.environment["XAS_PROFILE"].flatMap(Int.init) {
    // Chain only, every spectrum, `loops` times (development aid for perf; no file reading inside).
    let inputs = try ids.map { id -> ([Double], [Double]) in
        let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("xas/reference/\(id).json"))) as! [String: Any]
        let input = ref["input"] as! [String: Any]
        return (input["energy"] as! [Double], input["mu"] as! [Double])
    }
    var perSpectrum = [[Double]](repeating: [], count: inputs.count)
    for _ in 0..<loops {
        for (i, (e, m)) in inputs.enumerated() {
            let c0 = cpuNow()
            _ = try? XASAnalysis.run(energy: e, mu: m)
            perSpectrum[i].append(cpuNow() - c0)
        }
    }
    let medians = perSpectrum.map(median)
    for (id, m) in zip(ids, medians) { print(id, String(format: "%.4f ms", m)) }
    print(String(format: "median CPU per spectrum %.4f ms", median(medians)))
    exit(0)
}

for id in ids {
    let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("xas/reference/\(id).json"))) as! [String: Any]
    let input = ref["input"] as! [String: Any]
    let energy = input["energy"] as! [Double], mu = input["mu"] as! [Double]
    var chainTimes: [Double] = [], chainCPU: [Double] = []
    var result: XASResult? = nil
    var failure: String? = nil
    for _ in 0..<repeats {
        let t0 = now(), c0 = cpuNow()
        do { result = try XASAnalysis.run(energy: energy, mu: mu) } catch { failure = "\(error)"; break }
        chainTimes.append(now() - t0)
        chainCPU.append(cpuNow() - c0)
    }
    // Read + chain from the original file where our readers and μ selection reproduce Larch's input.
    var readTimes: [Double] = []
    let source = (ref["source"] as! [String: Any])["file"] as! String
    let file = root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(source)
    let group = input["athena_group"] as? String
    let expression = input["mu_expression"] as? String
    for _ in 0..<max(1, repeats / 4) {
        let t0 = now()
        guard let data = try? FormatRegistry.read(file),
              let scan = data.scans.first(where: { group == nil || $0.name == group }),
              let spectrum = try? MuSelection.selectMu(scan, expression: group == nil ? expression : nil),
              let m = spectrum.mu, (try? XASAnalysis.run(energy: spectrum.energy, mu: m)) != nil else { break }
        readTimes.append(now() - t0)
    }
    // Agreement with Larch's stored 'defaults' profile (E0 from our own pre_edge here).
    var chiRel: Double? = nil
    if let exafs = ref["exafs"] as? [String: Any], let prof = exafs["defaults"] as? [String: Any],
       let arrays = (prof["autobk"] as? [String: Any])?["arrays"] as? [String: Any], let lk = arrays["k"] as? [Double],
       let lchi = arrays["chi"] as? [Double], let ours = result?.autobk, let kmax = ref["kmax_data"] as? Double {
        var num = 0.0, den = 0.0
        for i in 0..<min(lk.count, ours.chi.count) where lk[i] >= 2 && lk[i] <= kmax - 1 {
            let w = lk[i] * lk[i]
            num += (ours.chi[i] - lchi[i]) * (ours.chi[i] - lchi[i]) * w * w; den += lchi[i] * lchi[i] * w * w
        }
        chiRel = den > 0 ? (num / den).squareRoot() : nil
    }
    var line: [String: Any] = ["id": id, "chain_ms": median(chainTimes), "chain_cpu_ms": median(chainCPU), "points": energy.count, "exafs": result?.autobk != nil]
    if !readTimes.isEmpty { line["read_chain_ms"] = median(readTimes) }
    if let chiRel { line["chi_k2_rel_rms"] = chiRel }
    if let failure { line["error"] = failure }
    let json = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    print("JSON " + String(decoding: json, as: UTF8.self))
}
