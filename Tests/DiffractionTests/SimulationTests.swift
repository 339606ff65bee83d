import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Diffraction

@Suite struct SimulationTests {
    /// For each structure pymatgen simulated (Cu Kα 1.54184 Å, 5–90°), every peak above 1 on the
    /// 0–100 scale is found within 0.01° and within 3 intensity units.
    @Test(.enabled(if: SharedData.isPresent)) func matchesPymatgenXRDCalculator() throws {
        let reference = try #require(ReferenceData.json("xrd/reference/simulated_patterns_CuKa.json") as? [String: Any])
        let structures = try #require(reference["structures"] as? [String: [String: Any]])
        var compared = 0
        var overallIntensity = 0.0
        for (path, entry) in structures.sorted(by: { $0.key < $1.key })
        where entry["ok"] as? Bool == true && !CIFReaderTests.rejected.contains(path) {
            let structure = try CIF.readStructure(url: try #require(SharedData.url("xrd/" + path)))
            let pattern = try PowderSimulator.simulate(structure, options: SimulationOptions(wavelength: 1.54184, twoThetaRange: 5...90))
            let peaks = try #require(entry["peaks"] as? [[String: Any]])
            var worstAngle = 0.0, worstIntensity = 0.0
            for peak in peaks {
                let tth = try #require(peak["two_theta"] as? Double), intensity = try #require(peak["rel_intensity"] as? Double)
                guard intensity > 1 else { continue }
                let nearest = pattern.peaks.min { abs($0.twoTheta - tth) < abs($1.twoTheta - tth) }
                let match = try #require(nearest, "\(path): no peaks")
                worstAngle = max(worstAngle, abs(match.twoTheta - tth))
                worstIntensity = max(worstIntensity, abs(match.intensity - intensity))
            }
            // And no extra line above 1: each of ours has a pymatgen line within 0.01°.
            let theirs = peaks.compactMap { $0["two_theta"] as? Double }
            for ours in pattern.peaks where ours.intensity > 1 {
                #expect(theirs.contains { abs($0 - ours.twoTheta) <= 0.01 }, "\(path): extra peak at \(ours.twoTheta)° (\(ours.intensity))")
            }
            overallIntensity = max(overallIntensity, worstIntensity)
            #expect(worstAngle <= 0.01, "\(path): 2θ off by \(worstAngle)°")
            #expect(worstIntensity <= 3, "\(path): intensity off by \(worstIntensity)")
            compared += 1
        }
        #expect(compared >= 70)
        print("pymatgen comparison: \(compared) structures, largest intensity difference \(overallIntensity)")
    }

    /// Every peak above 1 has pymatgen's multiplicity (the sum over its hkl families): the families come
    /// from Laue orbits (`PowderFamilies`), not from splitting each line's reflections.
    @Test(.enabled(if: SharedData.isPresent)) func multiplicitiesMatchPymatgen() throws {
        let reference = try #require(ReferenceData.json("xrd/reference/simulated_patterns_CuKa.json") as? [String: Any])
        let structures = try #require(reference["structures"] as? [String: [String: Any]])
        var compared = 0
        for (path, entry) in structures.sorted(by: { $0.key < $1.key })
        where entry["ok"] as? Bool == true && !CIFReaderTests.rejected.contains(path) {
            let structure = try CIF.readStructure(url: try #require(SharedData.url("xrd/" + path)))
            let pattern = try PowderSimulator.simulate(structure, options: SimulationOptions(wavelength: 1.54184, twoThetaRange: 5...90))
            for peak in try #require(entry["peaks"] as? [[String: Any]]) {
                let tth = try #require(peak["two_theta"] as? Double), intensity = try #require(peak["rel_intensity"] as? Double)
                guard intensity > 1 else { continue }
                let families = try #require(peak["hkls"] as? [[String: Any]])
                let multiplicity = families.compactMap { $0["multiplicity"] as? Int }.reduce(0, +)
                let ours = try #require(pattern.peaks.min { abs($0.twoTheta - tth) < abs($1.twoTheta - tth) })
                #expect(ours.multiplicity == multiplicity, "\(path) at \(tth)°: multiplicity \(ours.multiplicity), pymatgen \(multiplicity)")
                compared += 1
            }
        }
        #expect(compared > 1000)
    }

    /// Profile with Caglioti widths and the Kα2 line: Si (422) near 88° shows both lines, the Kα2 one at half height.
    @Test(.enabled(if: SharedData.isPresent)) func doubletProfile() throws {
        let si = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/DD_Silicon.cif")))
        let sticks = try PowderSimulator.simulate(si, options: SimulationOptions(wavelength: 1.54056, twoThetaRange: 80...95))
        let line = try #require(sticks.peaks.first { $0.hkl.contains(SIMD3(4, 2, 2)) })
        let profile = PowderProfile.profile(sticks, twoTheta: 80...95, step: 0.002, u: 0, v: 0, w: 0.0016, kAlpha2: 1.54439)
        let k2 = DiffractionAxes.twoTheta(d: line.d, wavelength: 1.54439)
        func value(at t: Double) -> Double { profile.y[Int(((t - 80) / 0.002).rounded())] }
        #expect(abs(value(at: line.twoTheta) - line.intensity) / line.intensity < 0.02)
        #expect(abs(value(at: k2) / line.intensity - 0.5) < 0.03)
        #expect(value(at: (line.twoTheta + k2) / 2) < 0.5 * value(at: k2)) // resolved
    }

    @Test(.enabled(if: SharedData.isPresent)) func badSimulationParameters() throws {
        let si = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/DD_Silicon.cif")))
        #expect(throws: RoentgenError.self) { try PowderSimulator.simulate(si, options: SimulationOptions(wavelength: 0)) }
        #expect(throws: RoentgenError.self) { try PowderSimulator.simulate(si, options: SimulationOptions(wavelength: .nan)) }
        #expect(throws: RoentgenError.self) { try PowderSimulator.simulate(si, options: SimulationOptions(twoThetaRange: 5...181)) }
        #expect(throws: RoentgenError.self) { try PowderSimulator.simulate(si, options: SimulationOptions(monochromatorTwoTheta: 200)) }
        // A range holding no reflection is a valid, empty pattern.
        #expect(try PowderSimulator.simulate(si, options: SimulationOptions(twoThetaRange: 1...5)).peaks.isEmpty)
        // Debye–Waller lowers high-angle lines relative to low-angle ones.
        var withDW = SimulationOptions(); withDW.debyeWaller = true
        var structure = si
        for i in structure.sites.indices { structure.sites[i].uIso = 0.01 }
        let cold = try PowderSimulator.simulate(structure), warm = try PowderSimulator.simulate(structure, options: withDW)
        #expect(warm.peaks.last!.intensity < cold.peaks.last!.intensity * 0.9)
    }
}
