import Diffraction
import Foundation
import XrayCore
import XrayFormats

// Usage: DiffractionBench simulate CIF… | DiffractionBench identify N
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
default:
    print("usage: DiffractionBench simulate CIF… | identify N")
}
