import Foundation
import Testing
import TestSupport

/// An explicit `--mu` of `read` and `convert`: refused, naming the option and the file, when it gives no
/// finite value (`ln(-i0/itrans)` wrote an XDI with no data rows, `i0/0` a column of inf, both with exit 0)
/// or when the file has no absorption scan (it was ignored on a diffraction pattern); a warning when only
/// some points are not finite.
@Suite struct MuOptionCLITests {
    static let foil = "xas/xaslib/Cu_Foil_rt_2016Foils.xdi"
    static let raw = "xrd/bruker_raw/LaB6_Jan2018.raw"

    @Test func muWithoutAFiniteValueOrWithoutAbsorptionDataIsRefused() async throws {
        guard let foil = SharedData.url(Self.foil)?.path, let raw = SharedData.url(Self.raw)?.path else { print(SharedData.missing(Self.foil)); return }
        let cases: [([String], [String])] = [
            (["convert", foil, "--to", "xdi", "--mu=ln(-i0/itrans)"], ["Cu_Foil_rt_2016Foils.xdi", "--mu 'ln(-i0/itrans)' gives no finite value"]),
            (["convert", foil, "--to", "xy", "--mu=i0/0"], ["--mu 'i0/0' gives no finite value"]),
            (["read", foil, "--mu=ln(-i0/itrans)"], ["--mu 'ln(-i0/itrans)' gives no finite value"]),
            (["read", foil, "--json", "--mu=i0/0"], ["--mu 'i0/0' gives no finite value"]),
            (["convert", raw, "--to", "xy", "--mu=ln(i0/itrans)"], ["LaB6_Jan2018.raw", "--mu applies to absorption data"]),
            (["read", raw, "--mu=ln(i0/itrans)"], ["LaB6_Jan2018.raw", "--mu applies to absorption data"]),
        ]
        for (args, words) in cases {
            let r = try await RoentgenCLI.run(args)
            #expect(r.status != 0 && r.stdout.isEmpty, "\(args): status \(r.status), \(r.stdout.prefix(200))")
            for w in words { #expect(r.stderr.contains(w), "\(args): \(r.stderr)") }
        }
        // Some points not finite (itrans − 10000 < 0 near the edge): converted, with a warning saying how many.
        let partial = try await RoentgenCLI.run(["convert", foil, "--to", "xy", "--mu=ln(i0/(itrans-10000))"])
        #expect(partial.status == 0 && partial.stderr.contains("warning:") && partial.stderr.contains("of 532 points"), "\(partial.stderr)")
        let plain = try await RoentgenCLI.run(["convert", foil, "--to", "xy", "--mu=ln(i0/itrans)"])
        #expect(plain.status == 0 && plain.stderr.isEmpty && plain.stdout.split(separator: "\n").count == 533, "\(plain.stderr)")
    }
}
