import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Diffraction

@Suite struct PDFTests {
    /// G(r) from the structure agrees with PDFfit2 (Ni fcc, Si diamond; Qmax 25, qdamp 0.04, Uiso 0.005).
    @Test(.enabled(if: SharedData.isPresent)) func simulatedGMatchesPDFfit2() throws {
        let reference = try #require(ReferenceData.json("xrd/reference/pdf_Gr_pdffit2.json") as? [String: Any])
        let cases = try #require(reference["cases"] as? [String: [String: Any]])
        for (name, entry) in cases.sorted(by: { $0.key < $1.key }) {
            let structure = try CIF.readStructure(url: try #require(SharedData.url("xrd/" + (entry["cif"] as! String))))
            var options = PDFSimulationOptions()
            options.qMax = entry["qmax"] as! Double
            options.qDamp = entry["qdamp"] as! Double
            options.uIso = entry["uiso_all_sites_A2"] as? Double
            options.rMin = entry["rmin"] as! Double
            options.rMax = entry["rmax"] as! Double
            options.rStep = entry["rstep"] as! Double
            let (r, g) = try PDFSimulator.simulate(structure, options: options)
            let expected = try #require(entry["G"] as? [Double])
            try #require(r.count == expected.count, "\(name): \(r.count) vs \(expected.count) points")
            let diff = zip(g, expected).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            let norm = expected.reduce(0) { $0 + $1 * $1 }
            let relative = (diff / norm).squareRoot()
            print("PDF \(name): relative rms \(relative)")
            #expect(relative < 0.03, "\(name): relative rms \(relative)")
        }
    }
}

@Suite struct PDFReductionTests {
    /// PDFgetX3's Ni example (config: Qmax 26, Qmaxinst 26.5, rpoly 0.9, kapton background, bgscale 1).
    /// With the correction polynomial's fractional degree n = 7.59 blended from the degree-7 and -8 fits, the
    /// shape of G(r) over 1–20 Å agrees to 0.09 % once scaled (1.1 % with the rounded degree 8 alone).
    /// The absolute scale comes from the self-scattering normalisation over every measured point with
    /// non-zero intensity (the data reach Q = 28.09 Å⁻¹; qmaxinst bounds only the polynomial fits, as
    /// PDFgetX3's configuration documents): G(r) then agrees to ~0.4 % rms without any scaling (normalising
    /// over Q ≤ qmaxinst only left a 6 % global factor). The bound is 5 %; the test holds 1 %.
    @Test(.enabled(if: SharedData.isPresent)) func nickelMatchesPDFgetX3() throws {
        let dir = "xrd/pdf/pdfgetx3_Ni/"
        let sampleURL = try #require(SharedData.url(dir + "ni300mesh_300k_nor_1-5.chi"))
        let backgroundURL = try #require(SharedData.url(dir + "kapton_bgrd_300k_nor_2-3.chi"))
        let sample = try #require(try FormatRegistry.read(sampleURL).scans.first?.diffractionPattern)
        let background = try #require(try FormatRegistry.read(backgroundURL).scans.first?.diffractionPattern)
        let intensity = try PatternArithmetic.subtract(background, from: sample)
        let q = sample.twoTheta.map { DiffractionAxes.q(twoTheta: $0, wavelength: 0.142774) }
        let result = try PDFReducer.reduce(q: q, intensity: intensity, composition: try ChemicalFormula("Ni"))
        #expect(result.polynomialDegree == 8 && abs(result.polynomialOrder - 0.9 * 26.5 / Double.pi) < 1e-12)
        let grURL = try #require(SharedData.url(dir + "ni300mesh_300k_nor_1-5-pdfgetx3.gr"))
        let text = try String(contentsOf: grURL, encoding: .utf8)
        var reference: [Int: Double] = [:]
        var inData = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#L") { inData = true; continue }
            guard inData else { continue }
            let parts = line.split(separator: " ").compactMap { Double($0) }
            if parts.count == 2 { reference[Int((parts[0] * 100).rounded())] = parts[1] }
        }
        var diff = 0.0, norm = 0.0, gg = 0.0, gr = 0.0
        var pairs: [(Double, Double)] = []
        for (r, g) in zip(result.r, result.g) where r >= 1 && r <= 20 {
            let expected = try #require(reference[Int((r * 100).rounded())])
            pairs.append((g, expected))
            diff += (g - expected) * (g - expected); norm += expected * expected; gg += g * g; gr += g * expected
        }
        #expect(pairs.count == 1901)
        let scale = gr / gg
        let shape = (pairs.reduce(0) { $0 + ($1.0 * scale - $1.1) * ($1.0 * scale - $1.1) } / norm).squareRoot()
        let absolute = (diff / norm).squareRoot()
        print("PDFgetX3 Ni: relative rms \(absolute), after best scale \(shape) (scale \(scale))")
        #expect(shape < 0.003)
        #expect(absolute < 0.01)   // issue goal 5 %; measured 0.38 %
    }

    @Test func formulaParsing() throws {
        let f = try ChemicalFormula("Ca(OH)2")
        #expect(f.amounts.map(\.element.symbol) == ["Ca", "O", "H"] && f.amounts.map(\.count) == [1, 2, 2])
        #expect(try ChemicalFormula("Fe0.5Ni0.5").amounts.count == 2)
        #expect(throws: RoentgenError.self) { try ChemicalFormula("Xq2") }
        #expect(throws: RoentgenError.self) { try ChemicalFormula("Ca(OH") }
        #expect(throws: RoentgenError.self) { try ChemicalFormula("") }
    }

    @Test(.enabled(if: SharedData.isPresent)) func pdfCLI() async throws {
        let cif = try #require(SharedData.url("xrd/cif/diffpy/srreal_Ni.cif")).path
        let sim = try await RoentgenCLI.run(["pdf", "simulate", cif, "--qmax", "25", "--qdamp", "0.04", "--uiso", "0.005", "--json"])
        #expect(sim.status == 0, "\(sim.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sim.stdout.utf8)) as? [String: Any])
        let r = try #require(object["r"] as? [Double]), g = try #require(object["g"] as? [Double])
        // The nearest-neighbour peak of fcc Ni at a/√2 = 2.49 Å.
        let peak = try #require(zip(r, g).filter { $0.0 > 2 && $0.0 < 3 }.max { $0.1 < $1.1 })
        #expect(abs(peak.0 - 2.49) < 0.02)
        let bad = try await RoentgenCLI.run(["pdf", "simulate", cif, "--uiso", "-1"])
        #expect(bad.status != 0 && bad.stderr.contains("uiso"))
        let dir = try #require(SharedData.url("xrd/pdf/pdfgetx3_Ni")).path
        let noWavelength = try await RoentgenCLI.run(["pdf", dir + "/ni300mesh_300k_nor_1-5.chi", "--composition", "Ni"])
        #expect(noWavelength.status != 0 && noWavelength.stderr.contains("wavelength"), "\(noWavelength.stderr)")
        let reduced = try await RoentgenCLI.run(["pdf", dir + "/ni300mesh_300k_nor_1-5.chi", "--composition", "Ni", "--background",
                                           dir + "/kapton_bgrd_300k_nor_2-3.chi", "--wavelength", "0.142774", "--json"])
        #expect(reduced.status == 0, "\(reduced.stderr)")
        let pdf = try #require(try JSONSerialization.jsonObject(with: Data(reduced.stdout.utf8)) as? [String: Any])
        #expect(Set(pdf.keys) == ["r", "g", "q", "sq", "fq", "provenance"])
    }
}

/// `pdf reduce` on I(Q) input: the Ni data of PDFgetX3's example, rewritten on a Q axis (a
/// pyFAI-style `q_A^-1` column, no wavelength), give the same G(r) as the 2θ files with λ.
@Suite struct PDFQAxisInputTests {
    /// The 2θ file at `relative` rewritten as `q_A^-1  I` rows (Q for `wavelength`), in `folder`.
    static func qFile(_ relative: String, wavelength: Double, in folder: URL) throws -> String {
        let url = try #require(SharedData.url(relative))
        let pattern = try #require(try FormatRegistry.read(url).scans.first?.diffractionPattern)
        var text = "# == pyFAI calibration ==\n#       q_A^-1             I \n"
        for (t, y) in zip(pattern.twoTheta, pattern.intensity) {
            text += String(format: "%.17g %.17g\n", DiffractionAxes.q(twoTheta: t, wavelength: wavelength), y)
        }
        let out = folder.appendingPathComponent(url.deletingPathExtension().lastPathComponent + "_q.xy")
        try text.write(to: out, atomically: true, encoding: .utf8)
        return out.path
    }

    @Test(.enabled(if: SharedData.isPresent)) func qAxisInputGivesTheSameGofR() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-pdf-q-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dir = "xrd/pdf/pdfgetx3_Ni/"
        let lambda = 0.142774
        let sampleQ = try Self.qFile(dir + "ni300mesh_300k_nor_1-5.chi", wavelength: lambda, in: folder)
        let backgroundQ = try Self.qFile(dir + "kapton_bgrd_300k_nor_2-3.chi", wavelength: lambda, in: folder)
        func g(_ args: [String]) async throws -> [Double] {
            let r = try await RoentgenCLI.run(["pdf", "reduce"] + args + ["--composition", "Ni", "--qmax", "26", "--qmaxinst", "26.5", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            return try #require(json["g"] as? [Double])
        }
        let fromTwoTheta = try await g([try #require(SharedData.url(dir + "ni300mesh_300k_nor_1-5.chi")).path,
                                  "--background", try #require(SharedData.url(dir + "kapton_bgrd_300k_nor_2-3.chi")).path,
                                  "--wavelength", "0.142774"])
        let fromQ = try await g([sampleQ, "--background", backgroundQ])   // no wavelength needed
        #expect(fromQ.count == fromTwoTheta.count && fromQ.count > 2000)
        let scale = fromTwoTheta.map(abs).max() ?? 1
        let worst = zip(fromQ, fromTwoTheta).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-9 * scale, "largest difference \(worst)")
    }
}
