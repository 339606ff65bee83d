import Diffraction
import Foundation
import XrayCore
import XrayFormats

// Usage: DiffractionBench simulate CIF… | DiffractionBench dump CIF… | DiffractionBench identify N
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.isEmpty ? .nan : s[s.count / 2] }

let args = Array(CommandLine.arguments.dropFirst())
switch args.first {
case "simulate":
    var simulateTimes: [Double] = [], totalTimes: [Double] = []
    let options = SimulationOptions(wavelength: 1.54184, twoThetaRange: 5...90)
    for path in args.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else { continue }
        var bestSim = Double.infinity, bestTotal = Double.infinity
        for _ in 0..<20 {
            let t0 = now()
            guard let structure = try? CIF.readStructure(data: data, file: path) else { break }
            let t1 = now()
            _ = try? PowderSimulator.simulate(structure, options: options)
            let t2 = now()
            bestSim = min(bestSim, t2 - t1); bestTotal = min(bestTotal, t2 - t0)
        }
        if bestSim.isFinite { simulateTimes.append(bestSim); totalTimes.append(bestTotal) }
    }
    print(String(format: "roentgen simulate: %d structures, median %.4f ms (simulation), %.4f ms (read CIF + simulate)",
                 simulateTimes.count, median(simulateTimes) * 1e3, median(totalTimes) * 1e3))
    print("JSON {\"swift_simulate_ms\": \(median(simulateTimes) * 1e3), \"swift_read_simulate_ms\": \(median(totalTimes) * 1e3)}")
case "each":
    // Per structure: best simulation time of 20 (ms), unit-cell atoms and peaks (to find the median structure).
    let options = SimulationOptions(wavelength: 1.54184, twoThetaRange: 5...90)
    for path in args.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path),
              let structure = try? CIF.readStructure(data: data, file: path) else { continue }
        var best = Double.infinity, peaks = 0
        for _ in 0..<20 {
            let t = now()
            peaks = (try? PowderSimulator.simulate(structure, options: options))?.peaks.count ?? -1
            best = min(best, now() - t)
        }
        print(String(format: "%.4f ms %4d atoms %4d peaks %@", best * 1e3, structure.unitCellAtoms().count, peaks,
                      (path as NSString).lastPathComponent))
    }
case "repeat":
    // Simulates each CIF N times after reading it once (a loop to profile, e.g. under `perf record`).
    let options = SimulationOptions(wavelength: 1.54184, twoThetaRange: 5...90)
    let count = args.count > 1 ? Int(args[1]) ?? 100 : 100
    let structures = args.dropFirst(2).compactMap { path in
        FileManager.default.contents(atPath: path).flatMap { try? CIF.readStructure(data: $0, file: path) }
    }
    let t = now()
    for _ in 0..<count { for s in structures { _ = try? PowderSimulator.simulate(s, options: options) } }
    print(String(format: "%d structures × %d: %.4f ms per simulation", structures.count, count,
                 (now() - t) * 1e3 / Double(max(1, count * structures.count))))
case "dump":
    // Every peak of every CIF (2θ, d, intensity, multiplicity, hkl), to compare two builds line for line.
    let options = SimulationOptions(wavelength: 1.54184, twoThetaRange: 5...90)
    for path in args.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path),
              let structure = try? CIF.readStructure(data: data, file: path),
              let pattern = try? PowderSimulator.simulate(structure, options: options) else { print("\(path) failed"); continue }
        print("\(path) \(pattern.peaks.count) peaks")
        for p in pattern.peaks {
            print(String(format: "%.17g %.17g %.17g %.17g %d ", p.twoTheta, p.d, p.intensity, p.absoluteIntensity, p.multiplicity)
                  + p.hkl.map { "\($0.x),\($0.y),\($0.z)" }.joined(separator: " "))
        }
    }
case "identify":
    let n = args.count > 1 ? Int(args[1]) ?? 100_000 : 100_000
    var state: UInt64 = 12345
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Double(state >> 11) + 0.5) / Double(1 << 53)
    }
    // Synthetic references: 10–70 lines with Q in 1–5.5 Å⁻¹ (2θ ≈ 14–85° at Cu Kα1) and skewed weights.
    var library = ReferenceLibrary()
    let t0 = now()
    for r in 0..<n {
        let count = 10 + Int(uniform() * 60)
        var q: [Double] = [], w: [Double] = []
        for _ in 0..<count { q.append(1 + 4.5 * uniform()); w.append(1000 * pow(uniform(), 3) + 1) }
        library.append(name: "ref\(r)", q: q, weight: w, weightScale: 1)
    }
    let buildTime = now() - t0
    // The query: reference `target` as a measured pattern (FWHM 0.1°, shift +0.04°, noise, background).
    let target = n / 3
    let lambda = 1.5406
    var y = [Double](repeating: 0, count: 3501)
    var positions: [Double] = [], heights: [Double] = []
    for line in library.lines(target) {
        let tth = DiffractionAxes.twoTheta(q: line.q, wavelength: lambda)
        let th = tth * Double.pi / 360
        positions.append(tth + 0.04)
        heights.append(line.weight * (1 + cos(2 * th) * cos(2 * th)) / (sin(th) * sin(th) * cos(th)))
    }
    PowderProfile.render(into: &y, x0: 10, step: 0.02, positions: positions, intensities: heights, eta: 0.5) { _ in 0.1 }
    let top = y.max() ?? 1
    let x = (0..<y.count).map { 10 + Double($0) * 0.02 }
    let counts = y.enumerated().map { i, v in 5000 * v / top + 200 + 20 * sin(Double(i) * 0.7) }
    let pattern = DiffractionPattern(name: "query", twoTheta: x, intensity: counts, radiation: .monochromatic(lambda))
    try? library.serialized().write(to: URL(fileURLWithPath: "/tmp/roentgen_bench_library.rxl"))
    try? zip(x, counts).map { "\($0) \($1)" }.joined(separator: "\n").write(toFile: "/tmp/roentgen_bench_query.xy", atomically: true, encoding: .utf8)
    var times: [Double] = []
    var first = ""
    for _ in 0..<5 {
        let a = now()
        let result = try PhaseIdentifier.identify(pattern, library: library)
        times.append(now() - a)
        first = result.ranking.first?.name ?? ""
    }
    print(String(format: "roentgen identify: %d references (built in %.2f s), median %.1f ms per query, top hit %@ (expected ref%d)",
                 n, buildTime, median(times) * 1e3, first, target))
    print("JSON {\"swift_identify_ms\": \(median(times) * 1e3), \"references\": \(n)}")
default:
    print("usage: DiffractionBench simulate CIF… | identify N")
}
