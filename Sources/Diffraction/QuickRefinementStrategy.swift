import Foundation
import Refinement

/// The default release order of `roentgen xrd refine DATA --phase CIF …` (the quick form) and of
/// `xrd identify --refine`: scale and background → cell, zero and specimen displacement → profile
/// W, X, Y → profile U, V, SH/L → (optionally) atoms: free coordinates and U_iso.
///
/// With one phase the histogram `scale` carries the amount; with several the scale stays at 1 and each
/// phase's `P_fraction` carries it (scale and fractions together are singular).
public enum QuickRefinementStrategy {
    /// One release step: its name and the parameters it releases (on top of the earlier steps').
    public struct Stage: Sendable, Equatable {
        public var name: String
        public var release: [String]
    }

    /// The amount parameters: `scale` for one phase, else every phase's fraction.
    public static func amountNames(_ model: RietveldModel) -> [String] {
        model.phases.count > 1 ? model.phases.map { "\($0.key)_fraction" } : ["scale"]
    }

    /// The stages in order; `atoms` adds the last (free coordinates and U_iso of every site).
    public static func stages(_ model: RietveldModel, atoms: Bool = true) -> [Stage] {
        let phases = model.phases.indices
        var plan = [
            Stage(name: "scale+background", release: amountNames(model) + (0..<model.backgroundTerms).map { "bkg_\($0)" }),
            Stage(name: "cell+zero+displacement", release: phases.flatMap { model.freeCellNames(phase: $0) } + ["zero", "displacement"]),
            Stage(name: "profile W,X,Y", release: ["W", "X", "Y"]),
            Stage(name: "profile U,V,SH/L", release: ["U", "V", "SH_L"]),
        ]
        if atoms {
            plan.append(Stage(name: "atoms xyz+Uiso", release: phases.flatMap { i in
                model.freeCoordinateNames(phase: i) + model.siteKeys(phase: i).map { "\(model.phases[i].key)_\($0)_uiso" }
            }))
        }
        return plan
    }

    /// The stages as refinement steps.
    public static func steps(_ model: RietveldModel, atoms: Bool = true) -> [RefinementStep] {
        stages(model, atoms: atoms).map { RefinementStep($0.name, release: $0.release) }
    }

    /// One line per stage, as the quick form prints it.
    public static func description(_ model: RietveldModel, atoms: Bool = true) -> [String] {
        stages(model, atoms: atoms).map { "\($0.name): \($0.release.count) parameters" }
    }
}
