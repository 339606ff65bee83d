import Foundation
import XrayCore

/// Models of the EXAFS Debye–Waller factor σ² of a path, as Larch defines them (`xafs/sigma2_models.py`).
public enum Sigma2Models {
    /// ħ²/(2·k_B·amu) in Å²·K·amu: Larch's EINS_FACTOR = 1e20·ħ²/(2·k·m_u) with scipy 1.17's
    /// constants (CODATA 2022; ħ and k exact), 24.2543…
    public static let einsteinFactor: Double = {
        let hbar = 1.054571817e-34, boltzmann = 1.380649e-23, amu = 1.66053906892e-27
        return 1e20 * hbar * hbar / (2 * boltzmann * amu)
    }()

    /// Einstein model: σ² = F/(θ·μ·tanh(θ/(2T))) with F = `einsteinFactor`, μ = 1/Σ(1/max(0.1, mᵢ))
    /// over the path's atoms (amu), T and θ in K (each at least 1e-5), Larch's `sigma2_eins`.
    public static func einstein(temperature: Double, theta: Double, path: FeffPath) -> Double {
        let t = max(temperature, 1e-5), th = max(theta, 1e-5)
        let inverse = path.atoms.reduce(0.0) { $0 + 1 / max(0.1, $1.mass) }
        let reducedMass = 1 / max(1e-12, inverse)
        return einsteinFactor / (th * reducedMass * tanh(th / (2 * t)))
    }

    /// Correlated Debye model (Sevillano, Meuth & Rehr 1979; FEFF6's `sigms.f`, Larch's
    /// `sigma2_debye`): the sum over pairs of legs of the Debye correlation functions, with the
    /// path's average Norman radius; FEFF6's constants (conh = 72.7630804732553, conr = 4.5693349700844).
    public static func correlatedDebye(temperature: Double, theta: Double, path: FeffPath) -> Double {
        let t = max(temperature, 1e-5), th = max(theta, 1e-5)
        let atoms = path.atoms
        let n = atoms.count
        guard n >= 2 else { return 0 }
        func distance(_ a: FeffPath.Atom, _ b: FeffPath.Atom) -> Double {
            let dx = a.x - b.x, dy = a.y - b.y, dz = a.zPosition - b.zPosition
            return (dx * dx + dy * dy + dz * dz).squareRoot()
        }
        func correlation(_ r: Double, _ m1: Double, _ m2: Double) -> Double {
            let conh = 72.7630804732553, conr = 4.5693349700844
            return conh * debyeIntegral(rx: conr * r / path.rnorman, tx: th / t) / (th * (m1 * m2).squareRoot())
        }
        var sum = 0.0
        for i0 in 0..<n {
            let i1 = (i0 + 1) % n
            for j0 in i0..<n {
                let j1 = (j0 + 1) % n
                let a0 = atoms[i0], a1 = atoms[i1], b0 = atoms[j0], b1 = atoms[j1]
                let dot = (a0.x - a1.x) * (b0.x - b1.x) + (a0.y - a1.y) * (b0.y - b1.y) + (a0.zPosition - a1.zPosition) * (b0.zPosition - b1.zPosition)
                let c = correlation(distance(a0, b0), a0.mass, b0.mass) + correlation(distance(a1, b1), a1.mass, b1.mass)
                    - correlation(distance(a0, b1), a0.mass, b1.mass) - correlation(distance(a1, b0), a1.mass, b0.mass)
                var term = dot * c / (distance(a0, a1) * distance(b0, b1))
                if j0 == i0 { term /= 2 }
                sum += term
            }
        }
        return sum / 2
    }

    /// ∫₀¹ (sin(w·rx)/rx)·coth(w·tx/2) dw by Romberg's first extrapolation of the trapezoid rule
    /// (FEFF6's `debint`, at most 12 halvings, relative tolerance 1e-9).
    static func debyeIntegral(rx: Double, tx: Double) -> Double {
        func f(_ w: Double) -> Double {
            guard w > 1e-20 else { return 2 / tx }
            var value = rx > 0 ? sin(w * rx) / rx : w
            let e = exp(-min(w * tx, 50))
            value *= (1 + e) / (1 - e)
            return value
        }
        var count = 1, step = 1.0, result = 0.0
        var bn = (f(0) + f(1)) / 2, bo = bn
        for _ in 0..<12 {
            step /= 2
            var sum = 0.0
            for i in 0..<count { sum += f(step * Double(2 * i + 1)) }
            count *= 2
            let next = step * sum + bn / 2
            result = (4 * next - bn) / 3
            if abs((result - bo) / result) < 1e-9 { break }
            bn = next
            bo = result
        }
        return result
    }
}
