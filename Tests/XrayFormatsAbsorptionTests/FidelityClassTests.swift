import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Issue #13: the failure classes found on files nobody here had seen, each on a small fixture of
/// `Tests/Fixtures/fidelity/` (how each was made is in the test's comment) or a file of
/// ../shared/data, asserting the values read.
@Suite struct FidelityClassTests {
    // MARK: class 1: an axis that is not energy is not presented as energy

    /// `motor_scan_fixed_energy.dat`: header `Energy 18198 eV` (fixed) and `Motor_1 I0 I1 IF`;
    /// the first column runs from −0.2 to 1.0 in 25 steps of 0.05.
    @Test func motorScanIsNotAnEnergyScan() async throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/motor_scan_fixed_energy.dat"))
        let scan = try #require(file.scans.first)
        #expect(scan.columns["energy"] == nil)
        #expect(scan.spectrum == nil)
        let motor = try #require(scan.columns.values.first)
        #expect(motor.count == 25 && motor.first == -0.2 && abs(motor.last! - 1.0) < 1e-12)
        #expect(file.warnings.contains { $0.contains("no energy column") && $0.contains("-0.2") && $0.contains("1.0") }, "\(file.warnings)")
        // `xas` refuses to report an edge on it.
        let r = try await RoentgenCLI.run(["xas", SharedData.fixture("fidelity/motor_scan_fixed_energy.dat").path])
        #expect(r.status != 0)
        #expect(r.stderr.lowercased().contains("energy"), "\(r.stderr)")
    }

    /// `athena_json_null.prj` (JSON project, made by a few lines of Python): group `disp` has
    /// `is_pixel = 1` and x = 0, 62, … 1178; it is named `pixel`, not energy.
    @Test func athenaDispersiveGroupIsPixels() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/athena_json_null.prj"))
        let disp = try #require(file.scans.first { $0.name == "dispersive pixels" })
        #expect(disp.columns["energy"] == nil && disp.spectrum == nil)
        #expect(disp.columns["pixel"]?.last == 1178)
        #expect(disp.metadata["athena.record_type"] == "pixel")
        #expect(file.warnings.contains { $0.contains("dispersive pixels") && $0.contains("pixel index from 0.0 to 1178.0") })
    }

    // MARK: class 2: many spectra in one table

    /// `dispersive_256_spectra.csv.gz`: `pixel,s0…s255`, 200 pixels, spectrum j holds j + p.
    @Test func everySpectrumOfATableIsAScan() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/dispersive_256_spectra.csv.gz"))
        #expect(file.scans.count == 256)
        for j in [0, 1, 128, 255] {
            let scan = file.scans[j]
            let values = try #require(scan.columns["value"])
            #expect(scan.name.hasSuffix("[s\(j)]"))
            #expect(values.count == 200 && values.reduce(0, +) == Double(200 * j + 19_900))
            #expect(scan.columns["pixel"]?.last == 199)
        }
        let calibrated = try PixelIndexedData.calibrated(file, coefficients: [7000, 0.5])
        #expect(calibrated.scans.allSatisfy { $0.columns["energy"]?.count == 200 })
    }

    // MARK: class 3: truncated files

    /// `fit2d_truncated.chi`: the 4th line declares 10 points, 7 rows follow.
    @Test func fit2dDeclaredCountIsChecked() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/fit2d_truncated.chi"))
        #expect(file.scans.first?.columns["intensity"]?.count == 7)
        #expect(file.scans.first?.columns["two_theta"]?.last == 13)
        #expect(file.warnings.contains { $0.contains("declares 10 points") && $0.contains("holds 7") }, "\(file.warnings)")
    }

    // MARK: class 4: headers that name the columns

    /// `frames_named_columns.txt`: `imagenum twotheta intensity`, frames 0 and 1 of 6 points each,
    /// 2θ 5.00–6.25°, intensity 1000·(frame+1) + k.
    @Test func namedColumnsAndFrames() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/frames_named_columns.txt"))
        #expect(file.scans.count == 2)
        for (f, scan) in file.scans.enumerated() {
            #expect(scan.columns["two_theta"] == [5, 5.25, 5.5, 5.75, 6, 6.25])
            #expect(scan.columns["intensity"]?.first == Double(1000 * (f + 1)))
            #expect(scan.columns["intensity"]?.reduce(0, +) == Double(6000 * (f + 1) + 15))
        }
    }

    /// `column_descriptions.dat`: a `# Column Descriptions:` block names five columns; the
    /// second, "Mono setpoint (eV)", 7050.00–7197.50 eV, is the energy (not the time stamp first).
    @Test func columnDescriptionsNameTheEnergy() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/column_descriptions.dat"))
        let scan = try #require(file.scans.first)
        let energy = try #require(scan.columns["energy"])
        #expect(energy.count == 60 && energy.first == 7050 && energy.last == 7197.5)
        #expect(scan.metadata["column_labels_source"] == "'Column Descriptions' block")
        #expect(scan.columns.keys.contains { $0.hasPrefix("time_stamp") } && scan.columns.keys.contains { $0.hasPrefix("i0_ion") })
    }

    // MARK: class 5: decimal commas

    /// `decimal_comma_logger.txt`: `41110,0001736 0,29 -0,75 390,05` — four numbers per row, six
    /// rows, and no X-ray quantity: no energy axis is invented.
    @Test func decimalCommasInAWhitespaceTable() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/decimal_comma_logger.txt"))
        let scan = try #require(file.scans.first)
        #expect(scan.columns.count == 4)
        let columns = Array(scan.columns.values)
        #expect(columns[0].count == 6)
        #expect(abs(columns[0][0] - 41110.0001736) < 1e-9)
        #expect(columns[1][0] == 0.29 && columns[2][0] == -0.75 && columns[3][0] == 390.05)
        #expect(scan.columns["energy"] == nil && scan.spectrum == nil)
        #expect(file.warnings.contains { $0.contains("decimal comma") })
        // Comma-separated integers are not decimal commas.
        #expect(DecimalComma.normalised(Data("8000,12345\n8010,12400\n".utf8)) == nil)
        #expect(DecimalComma.normalised(Data("1.5 2,5\n1.6 2,6\n".utf8)) == nil)
    }

    // MARK: class 6: XDI edge cases

    @Test func xdiKeysWithTwoDotsAreKept() throws {
        let text = """
        # XDI/1.0
        # Column.1: energy eV
        # Column.2: i0
        # Column.3: itrans
        # Element.symbol: Cu
        # Element.edge: K
        # Mono.d_spacing: 3.13555
        # Describe.Column.1: Mono setpoint (eV)
        # ----
        # energy i0 itrans
        8950.0 1000.0 400.0
        8960.0 1001.0 390.0
        8970.0 1002.0 300.0

        """
        let file = try XDIReader.read(Data(text.utf8), file: "as.xdi")
        let scan = try #require(file.scans.first)
        #expect(scan.metadata["Describe.Column.1"] == "Mono setpoint (eV)")
        #expect(scan.columns["itrans"] == [400, 390, 300])
        #expect(file.warnings.contains { $0.contains("Describe.Column.1") && $0.contains("more than one '.'") })
    }

    /// The XDI authors' bad_01.xdi has no `# XDI/1.0` line: read as columns, but said not to be XDI.
    @Test func xdiWithoutVersionLineIsSaidNotToBeXDI() throws {
        let path = "xas/xdi_spec/baddata/bad_01.xdi"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        let file = try FormatRegistry.read(url)
        #expect(file.format != "xdi")
        #expect(file.warnings.first?.contains("not valid XDI") == true, "\(file.warnings)")
    }

    // MARK: class 7: null in an Athena JSON array

    @Test func athenaJSONWithNullArrayKeepsEveryGroup() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/athena_json_null.prj"))
        #expect(file.scans.count == 2)
        let foil = try #require(file.scans.first { $0.name == "Cu foil" })
        #expect(foil.columns["energy"]?.count == 20 && foil.columns["energy"]?.first == 8950)
        #expect(foil.columns["stddev"] == nil)
        #expect(file.warnings.contains { $0.contains("foil") && $0.contains("stddev") && $0.contains("null") && $0.contains("dropped") })
    }

    // MARK: class 8: a bare two-column absorption file

    /// `bare_absorption_two_columns.dat`: 400 rows, x 10800.00–13102.00, μ an arctan step of
    /// height 0.8 centred on 11919 eV (the Au L3 edge). `xas` reads it as energy and μ.
    @Test func twoColumnsBeyond180AreEnergy() async throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/bare_absorption_two_columns.dat"))
        #expect(file.format == "xas-columns")
        let spectrum = try #require(file.scans.first?.spectrum)
        #expect(spectrum.energy.count == 400 && spectrum.energy.first == 10800 && spectrum.energy.last == 13102)
        let r = try await RoentgenCLI.run(["xas", SharedData.fixture("fidelity/bare_absorption_two_columns.dat").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("μ = col2") && r.stdout.contains("Au L3"), "\(r.stdout)")
        // E0 within 1 eV of the step's centre.
        let e0 = r.stdout.components(separatedBy: "E0 = ").dropFirst().first.flatMap { Double($0.prefix { $0 == "." || $0.isNumber }) }
        #expect(e0.map { abs($0 - 11919) < 1 } == true, "\(r.stdout)")
    }

    // MARK: class 13: each warning once, naming its scan

    /// spec2nexus's 33bm_spec.dat: 16 scans with data, each with an energy column in keV.
    @Test func specWarningsNameTheirScan() throws {
        let path = "wide/xas/s2n_33bm_spec.dat"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        let file = try FormatRegistry.read(url)
        #expect(Set(file.warnings).count == file.warnings.count, "\(file.warnings)")
        #expect(file.warnings.contains("scan 1: energy column 'energy' is in keV; converted to eV"))
    }

    // MARK: class 13: a third column headed sigma is the esd

    @Test func sigmaColumnIsEsd() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/sigma_column.dat"))
        let scan = try #require(file.scans.first)
        #expect(scan.columns["esd"]?.count == 8 && scan.columns["esd"]?.first == 20)
        #expect(scan.columns["sigma"] == nil)
    }
}
