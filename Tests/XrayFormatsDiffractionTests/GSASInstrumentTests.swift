import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// GSAS data files carry no wavelength; it is joined from the instrument parameter file.
@Suite struct GSASInstrumentTests {
    /// FAP.XRA's companion (per the MANIFEST) is INST_XRY.PRM: Cu Kα1 1.5405, Kα2 1.5443, ratio 0.5, POLA 0.7.
    @Test(.enabled(if: SharedData.isPresent)) func labDataGetsTheDoubletFromThePRM() throws {
        let url = try #require(SharedData.url("xrd/gsas/FAP.XRA"))
        let file = try FormatRegistry.read(url)
        let scan = try #require(file.scans.first)
        let radiation = try #require(scan.radiation)
        #expect(radiation.anode == "Cu")
        #expect(radiation.kAlpha1 == 1.5405 && radiation.kAlpha2 == 1.5443 && radiation.kAlpha2Ratio == 0.5)
        #expect(scan.metadata["instrument.IRAD"] == "3")
        #expect(file.warnings.contains { $0.contains("INST_XRY.PRM") })
        let parameters = try GSASInstrumentParameters.read(try #require(SharedData.url("xrd/gsas/INST_XRY.PRM")))
        #expect(parameters.bank(1)?.polarization == 0.7)
        #expect(parameters.bank(1)?.histogramType == "PXCR")
        #expect(parameters.bank(1)?.radiationCode == 3)
    }

    /// 11bmb_8716.prm belongs to 11bmb_8716.fxye by name: single wavelength 0.413259 Å, POLA 0.99.
    @Test(.enabled(if: SharedData.isPresent)) func sameStemInstrumentFileIsJoined() throws {
        let file = try FormatRegistry.read(try #require(SharedData.url("xrd/gsas/11bmb_8716.fxye")))
        let scan = try #require(file.scans.first)
        #expect(scan.radiation?.kAlpha1 == 0.413259 && scan.radiation?.kAlpha2 == nil)
        #expect(scan.metadata["instrument.file"]?.hasSuffix("11bmb_8716.prm") == true)
        let parameters = try GSASInstrumentParameters.read(try #require(SharedData.url("xrd/gsas/11bmb_8716.prm")))
        #expect(parameters.bank(1)?.lambda2 == nil && parameters.bank(1)?.polarization == 0.99)
        #expect(parameters.bank(1)?.metadata["INAME"] == "APS11BM")
    }

    /// `--instrument` overrides the folder search; on a non-GSAS file it is an error.
    @Test(.enabled(if: SharedData.isPresent)) func explicitInstrumentOnTheCommandLine() async throws {
        let data = try #require(SharedData.url("xrd/gsas/NIST660CBI.gsas")).path
        let prm = try #require(SharedData.url("xrd/gsas/11bmb_8716.prm")).path
        let result = try await RoentgenCLI.run(["read", data, "--instrument", prm, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let scans = try #require(json["scans"] as? [[String: Any]])
        let radiation = try #require(scans.first?["radiation"] as? [String: Any])
        #expect(radiation["k_alpha1"] as? Double == 0.413259)
        let xy = try #require(SharedData.url("xrd/text/SbI3.xye")).path
        let wrong = try await RoentgenCLI.run(["read", xy, "--instrument", prm])
        #expect(wrong.status != 0 && wrong.stderr.contains("--instrument applies to GSAS"))
    }

    /// Without a usable companion, the reader says so instead of guessing.
    @Test(.enabled(if: SharedData.isPresent)) func ambiguousOrMissingInstrumentFileIsReported() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gsas-prm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("FAP.XRA")
        try FileManager.default.copyItem(at: try #require(SharedData.url("xrd/gsas/FAP.XRA")), to: data)
        let alone = try FormatRegistry.read(data)
        #expect(alone.scans.first?.radiation == nil)
        #expect(alone.warnings.contains { $0.contains("no instrument file") })
        for name in ["a.prm", "b.instprm"] {
            try FileManager.default.copyItem(at: try #require(SharedData.url("xrd/gsas/INST_XRY.PRM")),
                                             to: folder.appendingPathComponent(name))
        }
        let two = try FormatRegistry.read(data)
        #expect(two.scans.first?.radiation == nil)
        #expect(two.warnings.contains { $0.contains("a.prm, b.instprm") && $0.contains("--instrument") })
    }

    /// GSAS-II's own `.instprm` layout, `;`-separated pairs.
    @Test func gsasIIInstprm() throws {
        let text = """
        #GSAS-II instrument parameter file; do not add/delete items!
        Type:PXC
        Lam1:1.5405;Lam2:1.5443;Zero:0.0;Polariz.:0.7;Azimuth:0.0;I(L2)/I(L1):0.5
        U:2.0;V:-2.0;W:5.0;X:0.0;Y:0.0;SH/L:0.002
        """
        let parameters = try GSASInstrumentParameters.read(Data(text.utf8), file: "lab.instprm")
        let bank = try #require(parameters.bank(1))
        #expect(bank.histogramType == "PXC" && bank.lambda1 == 1.5405 && bank.lambda2 == 1.5443)
        #expect(bank.intensityRatio == 0.5 && bank.polarization == 0.7 && bank.metadata["W"] == "5.0")
        #expect(bank.radiation?.anode == "Cu")
        let synchrotron = try GSASInstrumentParameters.read(Data("Type:PXC\nLam:0.413263;Polariz.:0.99\n".utf8), file: "s.instprm")
        #expect(synchrotron.bank(1)?.radiation == Radiation(kAlpha1: 0.413263))
    }

    @Test func malformedInstrumentFilesNameTheLine() throws {
        let badPair = "Type:PXC\nLam1 1.5405\n"
        let e1 = try #require(throws: RoentgenError.self) { try GSASInstrumentParameters.read(Data(badPair.utf8), file: "x.instprm") }
        #expect(e1.line == 2 && e1.file == "x.instprm")
        let noWavelength = "Type:PXC\nZero:0.0\n"
        #expect(throws: RoentgenError.self) { try GSASInstrumentParameters.read(Data(noWavelength.utf8), file: "y.instprm") }
        let badICONS = "INS   BANK      1\nINS  1 ICONS  abcdefgh  1.544300       0.0\n"
        let e2 = try #require(throws: RoentgenError.self) { try GSASInstrumentParameters.read(Data(badICONS.utf8), file: "z.prm") }
        #expect(e2.line == 2)
    }
}
