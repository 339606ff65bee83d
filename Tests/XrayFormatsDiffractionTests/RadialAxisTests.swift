import Foundation
import Testing
import XrayCore
@testable import XrayFormats

/// Integrated 1-D patterns whose first column is not 2θ in degrees, with pyFAI's unit labels
/// (`2th_deg`, `2th_rad`, `q_nm^-1`, `q_A^-1`, `r_mm`) and its SI wavelength line. The headers
/// follow the layout pyFAI writes (`# Wavelength: … m`, then `#  unit  I  [sigma]`).
@Suite struct RadialAxisTests {
    static func pyFAI(_ unit: String, wavelength: String?, rows: [(Double, Double)]) -> Data {
        var text = "# == pyFAI calibration ==\n# Distance Sample to Detector: 0.2 m\n"
        if let wavelength { text += "# Wavelength: \(wavelength)\n" }
        text += "# Mask applied: False\n#       \(unit)             I \n"
        for (x, y) in rows { text += String(format: "  %.7e  %.7e\n", x, y) }
        return Data(text.utf8)
    }

    @Test func qInInverseNanometresBecomesTwoThetaWithTheHeaderWavelength() throws {
        let rows = [(10.0, 5.0), (25.0, 7.0), (40.0, 2.0)]
        let file = try FormatRegistry.read(Self.pyFAI("q_nm^-1", wavelength: "1.5406e-10 m", rows: rows), file: "int.dat")
        let scan = try #require(file.scans.first)
        #expect(scan.kind == .diffraction)
        let expected = rows.map { 2 * asin($0.0 / 10 * 1.5406 / (4 * Double.pi)) * 180 / Double.pi }
        for (got, want) in zip(try #require(scan.columns["two_theta"]), expected) { #expect(abs(got - want) < 1e-9) }
        #expect(scan.columns["q"] == [1.0, 2.5, 4.0])
        #expect(scan.columns["intensity"] == [5, 7, 2])
        #expect(scan.radiation?.kAlpha1.map { abs($0 - 1.5406) < 1e-12 } == true)
        #expect(file.warnings.contains { $0.contains("2θ computed with λ = 1.5406") })
    }

    @Test func qWithoutAWavelengthStaysQ() throws {
        let file = try FormatRegistry.read(Self.pyFAI("q_A^-1", wavelength: nil, rows: [(1, 5), (2, 6)]), file: "int.xy")
        let scan = try #require(file.scans.first)
        #expect(scan.kind == .other && scan.columns["two_theta"] == nil && scan.columns["q"] == [1, 2])
        #expect(scan.diffractionPattern == nil)
        #expect(file.warnings.contains { $0.contains("no wavelength") })
    }

    @Test func radiansAndNonAngularAxes() throws {
        let radians = try FormatRegistry.read(Self.pyFAI("2th_rad", wavelength: "1e-10 m", rows: [(0.5, 1), (1.0, 2)]), file: "r.xy")
        #expect(radians.scans[0].columns["two_theta"]?.map { ($0 * 1e9).rounded() / 1e9 } == [0.5 * 180 / Double.pi, 180 / Double.pi].map { ($0 * 1e9).rounded() / 1e9 })
        let degrees = try FormatRegistry.read(Self.pyFAI("2th_deg", wavelength: "1e-10 m", rows: [(10, 1), (20, 2)]), file: "d.xy")
        #expect(degrees.scans[0].columns["two_theta"] == [10, 20])
        #expect(degrees.scans[0].radiation?.kAlpha1 == 1.0)   // 1e-10 m, not 1e-10 Å
        let radius = try FormatRegistry.read(Self.pyFAI("r_mm", wavelength: nil, rows: [(3, 1), (4, 2)]), file: "m.xy")
        #expect(radius.scans[0].kind == .other && radius.scans[0].columns["r_mm"] == [3, 4] && radius.scans[0].columns["two_theta"] == nil)
    }

    @Test func qBeyondTheLimitingSphereNamesTheLine() throws {
        // 4π/λ = 12.57 Å⁻¹ for λ = 1 Å: 130 nm⁻¹ = 13 Å⁻¹ is beyond it (written in Å⁻¹ by mistake?).
        let data = Self.pyFAI("q_nm^-1", wavelength: "1e-10 m", rows: [(10, 1), (130, 2)])
        let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(data, file: "bad.dat") }
        #expect(error.kind == .badFile && error.line == 7 && error.message.contains("beyond 4π/λ"), "\(error)")
    }

    @Test func labelsThatMeanTwoThetaInDegrees() {
        for label in ["2th_deg", "2Theta", "Angle", "two_theta", "Pos. [°2Th.]"] { #expect(RadialAxis.from(label: label) == .twoThetaDegrees, "\(label)") }
        #expect(RadialAxis.from(label: "q_nm^-1") == .q(perAngstrom: 0.1))
        #expect(RadialAxis.from(label: "Q(1/A)") == .q(perAngstrom: 1))
        #expect(RadialAxis.from(label: "chi_deg") == .other("chi_deg"))
    }
}
