import Foundation
import Testing
import TestSupport
import XrayCore

/// `AbsorptionEdge.guess` against XrayDB's `guess_edge`, as recorded by Larch's pre_edge in every
/// reference JSON (`pre_edge.guessed_atsym`, `guessed_edge`), including its three wrong guesses
/// (Sn L3 → In L2, Pb L2 → Rb K, Fe K → Nd L1), which a faithful port must reproduce.
@Suite("Edge table")
struct EdgeGuessTests {
    @Test(.enabled(if: SharedData.url("xas/reference/index.json") != nil, "../shared/data/xas/reference is absent"))
    func guessMatchesXrayDB() throws {
        var checked = 0
        for id in LarchReference.ids {
            let url = try #require(SharedData.url("xas/reference/\(id).json"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let pre = try #require(json["pre_edge"] as? [String: Any])
            guard let symbol = pre["guessed_atsym"] as? String, let edge = pre["guessed_edge"] as? String else { continue }
            let guess = AbsorptionEdge.guess(energy: pre["e0"] as! Double)
            #expect(guess?.symbol == symbol && guess?.edge == edge, "\(id): \(guess.map { "\($0.symbol) \($0.edge)" } ?? "nil") vs \(symbol) \(edge)")
            checked += 1
        }
        #expect(checked >= 45)
        #expect(AbsorptionEdge.named("fe", "k")?.energy == 7112.0)
        #expect(AbsorptionEdge.all.count == 1430)
    }
}
