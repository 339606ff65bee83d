import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// A CIF that gives only U_ij: the site's U_iso is the proper U_eq, not the mean of the diagonal.
@Suite struct CIFDisplacementTests {
    /// α-quartz (hexagonal, AMCSD): for a hexagonal cell U_eq = ⅓[4/3 (U11 + U22 − U12) + U33]
    /// (Fischer & Tillmanns, Acta Cryst. C44 (1988) 775), evaluated here by hand from the CIF's numbers.
    @Test(.enabled(if: SharedData.isPresent)) func hexagonalUEqFromTheTensor() throws {
        let structure = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/AMCSD_Quartz-alpha.cif")))
        let si = try #require(structure.sites.first { $0.label == "Si" })
        let (u11, u22, u33, u12) = (0.00854, 0.00716, 0.00725, 0.00358)
        let expected = (4.0 / 3.0 * (u11 + u22 - u12) + u33) / 3
        #expect(abs((si.uIso ?? 0) - expected) < 1e-9, "U_eq \(si.uIso ?? .nan) vs \(expected)")
        #expect(abs((si.uIso ?? 0) - (u11 + u22 + u33) / 3) > 1e-4)   // the diagonal mean is measurably different
        #expect(si.uAniso == [u11, u22, u33, u12, -0.00001, -0.00002])
    }
}
