import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Energy-dispersive files indexed by detector pixel (Photon Factory's Pd foil CSV): recognised as
/// such, never passed off as a 2θ pattern, and turned into μ(E) with a user-given calibration.
@Suite struct PixelIndexedTests {
    @Test(.enabled(if: SharedData.isPresent)) func photonFactoryPixelFileIsNotA2ThetaPattern() throws {
        let url = try #require(SharedData.url("xas/demeter/recipes/Pd_foil.CSV"))
        let file = try FormatRegistry.read(url)
        let scan = try #require(file.scans.first)
        #expect(scan.kind == .other)
        #expect(scan.diffractionPattern == nil && scan.spectrum == nil)
        let pixel = try #require(scan.columns["pixel"])
        // The MANIFEST: 1025 rows (a ", 0" header line, then pixels 1…1024).
        #expect(pixel.count == 1024 && pixel.first == 1 && pixel.last == 1024)
        #expect(scan.columns["value"]?.first == 1.246214 && scan.columns["value"]?.last == -0.2190638)
        #expect(file.warnings.contains { $0.contains("pixel index") && $0.contains("--pixel-energy") })
    }

    @Test(.enabled(if: SharedData.isPresent)) func calibrationGivesAnAbsorptionSpectrum() throws {
        let url = try #require(SharedData.url("xas/demeter/recipes/Pd_foil.CSV"))
        let file = try PixelIndexedData.calibrated(try FormatRegistry.read(url), coefficients: [24_200, 0.4, 1e-5])
        let spectrum = try #require(file.scans.first?.spectrum)
        #expect(spectrum.energy.count == 1024)
        #expect(abs(spectrum.energy[0] - (24_200 + 0.4 + 1e-5)) < 1e-9)
        #expect(abs(spectrum.energy[1023] - (24_200 + 0.4 * 1024 + 1e-5 * 1024 * 1024)) < 1e-6)
        #expect(spectrum.channels["mu"]?.first == 1.246214)
        #expect(file.scans[0].metadata["pixel calibration"]?.contains("0.4·p") == true)
        // A detector running high → low energy is put in ascending order, μ with it.
        let reversed = try PixelIndexedData.calibrated(try FormatRegistry.read(url), coefficients: [25_000, -0.4])
        let r = try #require(reversed.scans.first?.spectrum)
        #expect(r.energy.first! < r.energy.last! && r.channels["mu"]?.last == 1.246214)
    }

    @Test(.enabled(if: SharedData.isPresent)) func badCalibrationsAreErrors() async throws {
        let url = try #require(SharedData.url("xas/demeter/recipes/Pd_foil.CSV"))
        let file = try FormatRegistry.read(url)
        // E = 1000 − 2p + 0.002p² turns around at p = 500: energies would repeat.
        #expect(throws: RoentgenError.self) { try PixelIndexedData.calibrated(file, coefficients: [1000, -2, 0.002]) }
        #expect(throws: RoentgenError.self) { try PixelIndexedData.calibrated(file, coefficients: [1000]) }
        let pattern = try FormatRegistry.read(try #require(SharedData.url("xrd/text/SbI3.xye")))
        #expect(throws: RoentgenError.self) { try PixelIndexedData.calibrated(pattern, coefficients: [1, 2]) }
        let cli = try await RoentgenCLI.run(["read", url.path, "--pixel-energy", "24200,abc"])
        #expect(cli.status != 0 && cli.stderr.contains("--pixel-energy"))
        let ok = try await RoentgenCLI.run(["convert", url.path, "--to", "xdi", "--pixel-energy", "24200,0.4"])
        #expect(ok.status == 0 && ok.stdout.contains("# Column.1: energy eV"))
    }

    @Test func shortOrNarrowIntegerColumnsStayPatterns() {
        #expect(!PixelIndexedData.isPixelIndex((1...100).map(Double.init)))          // 1–100°: a coarse 2θ scan
        #expect(!PixelIndexedData.isPixelIndex((1...20).map { Double($0) * 10 }))   // step 10
        #expect(PixelIndexedData.isPixelIndex((0...511).map(Double.init)))
        #expect(!PixelIndexedData.isPixelIndex((0...511).map { Double($0) + 0.5 }))
    }
}
