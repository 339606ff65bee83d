import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// The key acceptance test: for every Larch reference JSON in ../shared/data/xas/reference,
/// our readers plus μ selection reproduce `input.energy` and `input.mu` (after dropping
/// non-finite points and a stable sort by energy, as the reference script did).
@Suite struct LarchReferenceInputTests {
    struct Case {
        var id: String
        var file: String
        var reader: String
        var group: String?
        var expression: String?
        var energy: [Double]
        var mu: [Double]
        var dropped: Int
        var wasSorted: Bool
    }

    static let all: [Case] = cases()

    static func cases() -> [Case] {
        let folder = "xas/reference"
        var out: [Case] = []
        for path in sharedFiles(folder, suffixes: [".json"]) where !path.hasSuffix("index.json") {
            guard let data = sharedBytes(path),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let source = json["source"] as? [String: Any], let file = source["file"] as? String,
                  let input = json["input"] as? [String: Any],
                  let energy = input["energy"] as? [Double], let mu = input["mu"] as? [Double] else { continue }
            let reader = input["reader"] as? String ?? ""
            out.append(Case(id: json["id"] as? String ?? path, file: file.replacingOccurrences(of: "shared/data/", with: ""),
                            reader: reader, group: input["athena_group"] as? String,
                            expression: input["mu_expression"] as? String, energy: energy, mu: mu,
                            dropped: input["n_dropped_nonfinite"] as? Int ?? 0, wasSorted: input["was_sorted"] as? Bool ?? true))
        }
        return out
    }

    @Test(.enabled(if: SharedData.isPresent)) func everyReferenceInputIsReproduced() throws {
        let cases = Self.all
        #expect(cases.count == 49)
        var failures: [String] = []
        for c in cases {
            do {
                let data = try #require(sharedBytes(c.file))
                let file = try FormatRegistry.read(data, file: c.file)
                let scan: Scan
                if let group = c.group {
                    scan = try #require(AthenaGroupLookup.scan(named: group, in: file), "\(c.id): group \(group)")
                } else {
                    scan = try #require(file.scans.first)
                }
                let spectrum = try MuSelection.selectMu(scan, expression: c.expression)
                let (clean, dropped, _) = MuSelection.finiteSortedByEnergy(spectrum)
                #expect(dropped == c.dropped, "\(c.id): dropped \(dropped), reference \(c.dropped)")
                guard clean.energy.count == c.energy.count else {
                    failures.append("\(c.id): \(clean.energy.count) points, reference \(c.energy.count) (\(file.format))")
                    continue
                }
                let mu = clean.mu ?? []
                var worstE = 0.0, worstMu = 0.0
                for i in c.energy.indices {
                    worstE = max(worstE, abs(clean.energy[i] - c.energy[i]) / max(1, abs(c.energy[i])))
                    worstMu = max(worstMu, abs(mu[i] - c.mu[i]) / max(1e-300, abs(c.mu[i]), 1e-12))
                }
                // Same decimal text parsed by strtod and by Python: energies agree exactly; μ through
                // ln/division may differ in the last bit (libm vs numpy), hence 1e-12 relative.
                if worstE > 1e-12 || worstMu > 1e-12 {
                    failures.append("\(c.id): worst relative difference energy \(worstE), mu \(worstMu) (\(file.format), \(spectrum.muExpression ?? ""))")
                }
            } catch {
                failures.append("\(c.id): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) failed:\n\(failures.joined(separator: "\n"))")
    }
}
