import Foundation
import XrayCore

/// A detector's sensor as pyFAI 2026.9 describes it (`SensorConfig`; PONI version 3 `Detector_config` `"sensor"`):
/// its material and thickness (metres; nil for a sensor thick enough to absorb every photon).
public struct DetectorSensor: Sendable, Equatable {
    public var material: SensorMaterial
    public var thickness: Double?

    public init(material: SensorMaterial, thickness: Double? = nil) {
        self.material = material
        self.thickness = thickness
    }

    /// pyFAI's short form: `Si`, `Si,1000µm`, `CdTe,1mm`, `GaAs,500e-6` (metres when no unit; ∞ is a thick
    /// sensor). `what` names the option or file in errors.
    public static func parse(_ text: String, what: String) throws -> DetectorSensor {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count <= 2, let material = SensorMaterial.named(parts[0]) else {
            throw RoentgenError.badParameter("\(what): '\(text)' is not a sensor: expected MATERIAL[,THICKNESS] with MATERIAL one of \(SensorMaterial.all.map(\.name).joined(separator: ", ")) and THICKNESS such as 1000um or 1mm")
        }
        guard parts.count == 2, parts[1] != "∞", parts[1].lowercased() != "inf" else { return DetectorSensor(material: material) }
        let t = parts[1]
        let units: [(String, Double)] = [("µm", 1e-6), ("μm", 1e-6), ("um", 1e-6), ("mm", 1e-3), ("m", 1)]
        let (number, scale) = units.first { t.hasSuffix($0.0) }.map { (String(t.dropLast($0.0.count)), $0.1) } ?? (t, 1)
        guard let v = Double(number.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw RoentgenError.badParameter("\(what): sensor thickness '\(t)' is not a length (1000um, 1mm, 0.001)")
        }
        return try DetectorSensor(material: material, thickness: checked(v * scale, what: what))
    }

    /// The sensor of a PONI `Detector_config` object (`{"material": "Si", "thickness": 0.001}`).
    static func parse(json: Any, file: String, line: Int) throws -> DetectorSensor? {
        if json is NSNull { return nil }
        guard let object = json as? [String: Any], let name = object["material"] as? String else {
            throw RoentgenError.badFile(file, line: line, "PONI Detector_config sensor: expected {\"material\": NAME, \"thickness\": METRES}")
        }
        guard let material = SensorMaterial.named(name) else {
            throw RoentgenError.badFile(file, line: line, "PONI Detector_config sensor material '\(name)' is not one pyFAI tabulates (\(SensorMaterial.all.map(\.name).joined(separator: ", ")))")
        }
        guard let t = object["thickness"], !(t is NSNull) else { return DetectorSensor(material: material) }
        guard let v = (t as? NSNumber)?.doubleValue else {
            throw RoentgenError.badFile(file, line: line, "PONI Detector_config sensor thickness '\(t)' is not a number of metres")
        }
        guard isPlausible(thickness: v) else {
            throw RoentgenError.badFile(file, line: line, "PONI Detector_config sensor thickness \(v) m: expected 1e-7 to 0.1 m (0 for a thick sensor)")
        }
        return DetectorSensor(material: material, thickness: v == 0 ? nil : v)
    }

    /// A sensor thinner than 0.1 µm or thicker than 10 cm is not one; zero is none (a thick sensor, as pyFAI's
    /// `as_dict` drops it).
    static func isPlausible(thickness: Double) -> Bool { thickness == 0 || (thickness >= 1e-7 && thickness <= 0.1) }

    static func checked(_ thickness: Double, what: String) throws -> Double? {
        guard isPlausible(thickness: thickness) else {
            throw RoentgenError.badParameter("\(what): sensor thickness \(thickness) m: expected 1e-7 to 0.1 m")
        }
        return thickness == 0 ? nil : thickness
    }

    /// pyFAI's `str(SensorConfig)`-like label: `Si, 1000 µm` or `CdTe, ∞`.
    public var label: String {
        "\(material.name), " + (thickness.map { String(format: "%g µm", $0 * 1e6) } ?? "∞")
    }
}

/// pyFAI 2026.9's parallax correction (`pyFAI.parallax`, `Geometry._correct_parallax`): a photon reaching the
/// sensor at an incidence angle α (from the detector normal) is absorbed at a depth distributed as Beer–Lambert's
/// law, so the charge is collected on average a distance δ(α) further from the point of normal incidence than
/// where the ray meets the sensor's surface:
///   thin sensor (thickness t): δ = sin α / μ · (1 − (1 + μ′t) e^(−μ′t)) / (1 − e^(−μ′t)), μ′ = μ / cos α
///     (`ThinSensor.measure_displacement_integrate`, the beam's width not considered);
///   thick sensor: δ = sin α / μ (`BaseSensor.measure_displacement`).
/// pyFAI tabulates δ at 1024 angles from 0 to π/2 and, for a distance L, the correction Δ(r) that undoes it
/// (`Parallax.calc_corrections`): with R = L tan α the radius where the ray meets the detector, the observed
/// radius is R + δ, and Δ at an observed radius is the R whose R + δ it is, minus that radius (numpy's linear
/// interpolation, negative). Each pixel position p (detector plane, metres from the PONI, before the rotations)
/// then moves by Δ(sin α) along p / |p|, with sin α = |p| / √(L² + |p|²) of the uncorrected position. The solid
/// angle is not corrected (pyFAI's isn't).
public struct Parallax: Sendable, Equatable {
    public let sensor: DetectorSensor
    /// The sensor's linear attenuation coefficient at the beam's energy, 1/m.
    public let mu: Double
    /// The sensor's thickness (m), nil for a thick sensor.
    public var thickness: Double? { sensor.thickness }
    /// sin α at pyFAI's 1024 tabulated angles, and δ (m) there.
    let sinIncidence: [Double]
    let displacement: [Double]

    /// The number of angles pyFAI tabulates (`Parallax.SIZE`).
    static let size = 1024

    /// The parallax of `sensor` for photons of `energy` keV (throws when the energy is outside the material's tables).
    public init(sensor: DetectorSensor, energy: Double) throws {
        self.sensor = sensor
        mu = try sensor.material.mu(energy: energy)
        let thickness = sensor.thickness
        // numpy.linspace(0, π/2, 1024): i · step, the last exactly π/2.
        let step = (Double.pi / 2) / Double(Self.size - 1)
        let angles = (0..<Self.size).map { $0 == Self.size - 1 ? Double.pi / 2 : Double($0) * step }
        sinIncidence = angles.map(sin)
        displacement = angles.map { [mu, thickness] in Self.displacement(incidence: $0, mu: mu, thickness: thickness) }
    }

    /// δ (m) at incidence angle `angle` (rad) for attenuation `mu` (1/m) and `thickness` (m, nil: thick).
    static func displacement(incidence angle: Double, mu: Double, thickness: Double?) -> Double {
        guard let t = thickness else { return sin(angle) / mu }
        let a = abs(angle)
        if a >= .pi / 2 { return 1 / mu }
        let e = t * (mu / cos(a))
        return (sin(a) / mu) * (1 - (e + 1) * exp(-e)) / (1 - exp(-e))
    }

    /// δ (m) at incidence angle `angle` (rad).
    public func displacement(incidence angle: Double) -> Double { Self.displacement(incidence: angle, mu: mu, thickness: thickness) }

    /// The correction for a detector at `distance` metres (pyFAI's `calc_corrections`).
    public func correction(distance: Double) -> ParallaxCorrection {
        let radius = sinIncidence.map { distance * $0 / (1 - $0 * $0).squareRoot() }
        let observed = zip(radius, displacement).map { $0 + $1 }
        let correction = radius.map { NumpyInterpolation.value(at: $0, xs: observed, ys: radius) - $0 }
        return ParallaxCorrection(distance: distance, sinIncidence: sinIncidence, correction: correction)
    }
}

/// The parallax correction of one geometry (`Parallax.correction(distance:)`): the radial shift of each position.
public struct ParallaxCorrection: Sendable, Equatable {
    public let distance: Double
    let sinIncidence: [Double]
    let correction: [Double]

    /// The radial shift (m, negative: towards the PONI) at the sine of the incidence angle (`Parallax.correct`).
    public func shift(sinIncidence s: Double) -> Double {
        NumpyInterpolation.value(at: s, xs: sinIncidence, ys: correction)
    }

    /// The position (p1, p2) (m from the PONI in the detector plane, before the rotations) moved by the shift at
    /// its incidence angle (`Geometry._correct_parallax`).
    @inline(__always) public func apply(_ p1: Double, _ p2: Double) -> (Double, Double) {
        let rr = p1 * p1 + p2 * p2
        let length = rr.squareRoot()
        let s = min(max((rr / (distance * distance + rr)).squareRoot(), 0), 1)
        let delta = shift(sinIncidence: s)
        let unit = length == 0 ? 1 : length
        return (p1 + delta * (p1 / unit), p2 + delta * (p2 / unit))
    }

    /// `apply` in the precision of pyFAI's corner path (`Geometry._correct_parallax_v2` on the float32 corner
    /// array: with NumPy 2 the positions, the distance and the unit vector stay float32; numexpr evaluates
    /// `length/z/sqrt(1.0+(length/z)**2)` with the ratio and its square in float32 and the rest in double (measured:
    /// identical on 1e5 random values, where an all-double evaluation differs in every one); the shift is double and
    /// each moved position is rounded back to float32). `p1`, `p2` are float32 positions from the PONI, `z` the
    /// float32 distance.
    @inline(__always) func applyFloat32(_ p1: Float, _ p2: Float, z: Float) -> (Float, Float) {
        let length = (p1 * p1 + p2 * p2).squareRoot()
        let ratio = length / z
        let s = min(max(Double(ratio) / (1 + Double(ratio * ratio)).squareRoot(), 0), 1)
        let delta = shift(sinIncidence: s)
        let unit = length == 0 ? 1 : length
        return (Float(Double(p1) + delta * Double(p1 / unit)), Float(Double(p2) + delta * Double(p2 / unit)))
    }
}
