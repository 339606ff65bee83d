import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats

@Suite("FEFF path files (feffNNNN.dat)")
struct FeffPathReaderTests {
    /// nleg, degeneracy, reff and reduced mass as the MANIFEST of xas/feffit and Larch's reference
    /// (`reference/ff2chi_paths.json`: `rmass`) give them.
    static let expected: [(String, Int, Double, Double, Double)] = [
        ("cu_13paths_ms/Feff_Cu/feff0001.dat", 2, 12, 2.5478, 31.773000000000003),
        ("cu_13paths_ms/Feff_Cu/feff0003.dat", 3, 48, 3.8218, 21.182000000000002),
        ("cu_13paths_ms/Feff_Cu/feff0007.dat", 3, 96, 4.7543, 21.182000000000002),
        ("cu_13paths_ms/Feff_Cu/feff0011.dat", 4, 12, 5.0957, 15.886500000000002),
        ("cu_3shell_c3/feff0001.dat", 2, 12, 2.5478, 31.773000000000003),
        ("znse_1shell/Feff_ZnSe/feff_znse.dat", 2, 4, 2.4541, 35.76784352030813),
        ("feo_2path/feff_feo01.dat", 2, 6, 2.1387, 12.436169408718891),
        ("feo_2path/feff_feo02.dat", 2, 12, 3.0246, 27.9225),
    ]

    @Test func readsEveryLayout() throws {
        for (name, nleg, degen, reff, rmass) in Self.expected {
            guard let url = SharedData.url("xas/feffit/" + name) else { print(SharedData.missing("xas/feffit/" + name)); continue }
            let path = try FeffPathReader.read(url)
            #expect(path.nleg == nleg && path.atoms.count == nleg, "\(name)")
            #expect(path.degeneracy == degen, "\(name)")
            #expect(path.reff == reff, "\(name)")
            #expect(abs(path.reducedMass - rmass) < 1e-9 * rmass, "\(name): \(path.reducedMass)")
            #expect(path.k.first == 0 && path.k.last == 20, "\(name)")
            #expect([path.realPhc, path.magFeff, path.phaseFeff, path.redFactor, path.lambda, path.realP].allSatisfy { $0.count == path.k.count })
            // Half the loop length is reff.
            #expect(abs(path.legs.map(\.length).reduce(0, +) / 2 - reff) < 2e-4, "\(name)")
        }
    }

    /// The '#'-prefixed copy and the plain file of Cu path 1 hold the same numbers (MANIFEST: same bytes
    /// except the '#'); the ZnSe file's extra Atoms header lines are skipped.
    @Test func hashPrefixAndExtraHeaderLines() throws {
        guard let hashed = SharedData.url("xas/feffit/cu_3shell_c3/feff0001.dat"),
              let plain = SharedData.url("xas/feffit/cu_1shell/feffcu01.dat"),
              let znse = SharedData.url("xas/feffit/znse_1shell/Feff_ZnSe/feff_znse.dat") else {
            print(SharedData.missing("xas/feffit")); return
        }
        let a = try FeffPathReader.read(hashed), b = try FeffPathReader.read(plain)
        #expect(a.k == b.k && a.magFeff == b.magFeff && a.phaseFeff == b.phaseFeff && a.realP == b.realP)
        #expect(a.potentials.count == 2 && a.potentials[0].z == 29 && a.shell == "K")
        #expect(a.version == "Feff XX 6.10")
        let z = try FeffPathReader.read(znse)
        #expect(z.potentials.map(\.z) == [30, 30, 34])
        #expect(z.atoms.map(\.symbol) == ["Zn", "Se"])
        #expect(z.gammaCh == 1.936 && z.vint == -15.26)
        #expect(z.version.hasPrefix("Feff 6L.02"))
        #expect(z.redFactor[6] == 1.008)  // written 0.1008E+01
    }

    @Test func truncatedAndMissingFilesAreErrors() throws {
        guard let url = SharedData.url("xas/feffit/feo_2path/feff_feo01.dat") else { print(SharedData.missing("xas/feffit")); return }
        let text = try String(contentsOf: url, encoding: .utf8)
        // Cut in the middle of a table row.
        let cut = String(text.prefix(3000))
        #expect(performing: { _ = try FeffPathReader.parse(cut, file: "cut.dat") }, throws: { error in
            guard let e = error as? RoentgenError else { return false }
            return e.kind == .badFile && e.file == "cut.dat" && e.line == cut.split(separator: "\n", omittingEmptySubsequences: false).count
                && e.message.contains("expected 7")
        })
        // Cut before the table.
        let header = text.components(separatedBy: "\n").prefix(12).joined(separator: "\n")
        #expect(performing: { _ = try FeffPathReader.parse(header, file: "head.dat") }, throws: { ($0 as? RoentgenError)?.message.contains("cut short") == true })
        #expect(performing: { _ = try FeffPathReader.read(URL(fileURLWithPath: "/nonexistent/feff0001.dat")) },
                throws: { ($0 as? RoentgenError).map { $0.kind == .io && $0.message.contains("no such file") } == true })
    }
}
