import Foundation
import XrayCore

/// The sample frame of a grazing-incidence (thin film) or fiber diffraction experiment, as pyFAI 2026.9's
/// `FiberIntegrator` defines it (`pyFAI.units`: `formula_qip`, `formula_qoop`, `formula_exit_angle_vert` …, the
/// numexpr formulas its `center_array` evaluates).
///
/// A pixel's lab position (x horizontal, towards the ring centre; y vertical, up; z along the beam: pyFAI's
/// `position_array`, here `PixelGeometry.labPosition` as (t2, t1, t3)) is first re-oriented by the sample
/// orientation (EXIF's eight: 1 as is, 2 mirrored, 3 turned 180°, 4 turned and mirrored, 5–8 the quarter turns):
/// (x, y) → (x, y), (−x, y), (−x, −y), (x, −y), (−y, −x), (−y, x), (y, x), (y, −x). With k = 2π/λ and R = |(x, y, z)|
/// the lab scattering vector is q_beam = k (z/R − 1), q_horz = k x/R, q_vert = k y/R, and the sample frame turns it by
/// the incident angle η about the horizontal axis and the tilt angle τ about the beam:
///
///     q_beam' = cos η q_beam + sin η q_vert
///     q_horz' = cos τ q_horz − sin τ sin η q_beam + sin τ cos η q_vert
///     q_vert' = −sin τ q_horz − cos τ sin η q_beam + cos τ cos η q_vert
///
/// q_oop = q_vert', q_ip = √(q_beam'² + q_horz'²) with the sign of q_horz' (−1 where q_horz' is 0, as pyFAI's
/// `(q > 0)·2 − 1`), q_tot = 4π sin θ / λ, and the polar angle from the film normal χ_gi = atan2(q_ip, q_oop)
/// (pyFAI's `chigi`, its polar maps and profiles). The exit angles turn the position itself: y₁ = y cos η + z sin η,
/// z₁ = −y sin η + z cos η, x₂ = x cos τ − y₁ sin τ, y₂ = x sin τ + y₁ cos τ; vertical exit angle
/// atan2(y₂, √(z₁² + x₂²)), horizontal atan2(x₂, z₁).
public struct FiberGeometry: Sendable, Equatable {
    /// The incident angle η (rad): the sample tilted towards the beam about the horizontal axis (pyFAI's `incident_angle`).
    public var incidentAngle: Double
    /// The tilt angle τ (rad): the sample's horizon turned about the beam (pyFAI's `tilt_angle`).
    public var tiltAngle: Double
    /// The orientation of the fiber axis or film normal on the image, EXIF's 1–8 (pyFAI's `sample_orientation`).
    public var sampleOrientation: Int

    /// Angles in radians; throws for an orientation outside 1–8 or angles that are not finite.
    public init(incidentAngle: Double = 0, tiltAngle: Double = 0, sampleOrientation: Int = 1) throws {
        guard (1...8).contains(sampleOrientation) else {
            throw RoentgenError.badParameter("--sample-orientation \(sampleOrientation): EXIF's orientations 1 to 8 (1: as recorded, 2: mirrored, 3: turned 180°, 4: turned and mirrored, 5–8: turned by a quarter)")
        }
        guard incidentAngle.isFinite, tiltAngle.isFinite else {
            throw RoentgenError.badParameter("the incident and tilt angles must be finite")
        }
        self.incidentAngle = incidentAngle
        self.tiltAngle = tiltAngle
        self.sampleOrientation = sampleOrientation
    }

    /// (x, y) re-oriented by the sample orientation (pyFAI's `MAPS_SAMPLE_ORIENTATION`).
    @inline(__always) func oriented(_ x: Double, _ y: Double) -> (Double, Double) {
        switch sampleOrientation {
        case 2: return (-x, y)
        case 3: return (-x, -y)
        case 4: return (x, -y)
        case 5: return (-y, -x)
        case 6: return (-y, x)
        case 7: return (y, x)
        case 8: return (y, -x)
        default: return (x, y)
        }
    }

    /// The value of `quantity` (nm⁻¹ or rad) at lab position (x, y, z) (any length unit) for wavelength `wavelength` (m).
    @inline(__always) public func value(_ quantity: FiberUnit.Quantity, x labX: Double, y labY: Double, z: Double, wavelength: Double) -> Double {
        let (x, y) = oriented(labX, labY)
        let eta = incidentAngle, tau = tiltAngle
        switch quantity {
        case .qip, .qoop:
            let k = 2e-9 * .pi / wavelength
            let R = (x * x + y * y + z * z).squareRoot()
            let beam = k * (z / R - 1), horz = k * (x / R), vert = k * (y / R)
            if quantity == .qoop {
                return -sin(tau) * horz - cos(tau) * sin(eta) * beam + cos(tau) * cos(eta) * vert
            }
            let beamRot = cos(eta) * beam + sin(eta) * vert
            let horzRot = cos(tau) * horz - sin(tau) * sin(eta) * beam + sin(tau) * cos(eta) * vert
            return (beamRot * beamRot + horzRot * horzRot).squareRoot() * (horzRot > 0 ? 1 : -1)
        case .chiGI:
            return atan2(value(.qip, x: labX, y: labY, z: z, wavelength: wavelength), value(.qoop, x: labX, y: labY, z: z, wavelength: wavelength))
        case .qtot:
            return 4e-9 * .pi * sin(0.5 * atan2((x * x + y * y).squareRoot(), z)) / wavelength
        case .exitAngleVertical, .exitAngleHorizontal:
            let y1 = y * cos(eta) + z * sin(eta)
            let z1 = y * sin(-eta) + z * cos(eta)
            let x2 = x * cos(tau) - y1 * sin(tau)
            if quantity == .exitAngleHorizontal { return atan2(x2, z1) }
            let y2 = x * sin(tau) + y1 * cos(tau)
            return atan2(y2, (z1 * z1 + x2 * x2).squareRoot())
        }
    }
}

/// An axis of a grazing-incidence / fiber map or profile: pyFAI's fiber units of the same names.
public enum FiberUnit: String, Sendable, CaseIterable {
    case qipNanometre = "qip_nm^-1"
    case qipAngstrom = "qip_A^-1"
    case qoopNanometre = "qoop_nm^-1"
    case qoopAngstrom = "qoop_A^-1"
    case qtotNanometre = "qtot_nm^-1"
    case qtotAngstrom = "qtot_A^-1"
    case exitAngleVerticalDegrees = "exit_angle_vert_deg"
    case exitAngleVerticalRadians = "exit_angle_vert_rad"
    case exitAngleHorizontalDegrees = "exit_angle_horz_deg"
    case exitAngleHorizontalRadians = "exit_angle_horz_rad"
    case chiGIDegrees = "chigi_deg"
    case chiGIRadians = "chigi_rad"

    /// What is computed per pixel (in nm⁻¹ or rad).
    public enum Quantity: Sendable { case qip, qoop, qtot, exitAngleVertical, exitAngleHorizontal, chiGI }

    public var quantity: Quantity {
        switch self {
        case .qipNanometre, .qipAngstrom: return .qip
        case .qoopNanometre, .qoopAngstrom: return .qoop
        case .qtotNanometre, .qtotAngstrom: return .qtot
        case .exitAngleVerticalDegrees, .exitAngleVerticalRadians: return .exitAngleVertical
        case .exitAngleHorizontalDegrees, .exitAngleHorizontalRadians: return .exitAngleHorizontal
        case .chiGIDegrees, .chiGIRadians: return .chiGI
        }
    }

    /// Internal value (nm⁻¹, rad) × scale = value in this unit (pyFAI's `scale`).
    public var scale: Double {
        switch self {
        case .qipNanometre, .qoopNanometre, .qtotNanometre, .exitAngleVerticalRadians, .exitAngleHorizontalRadians, .chiGIRadians: return 1
        case .qipAngstrom, .qoopAngstrom, .qtotAngstrom: return 0.1
        case .exitAngleVerticalDegrees, .exitAngleHorizontalDegrees, .chiGIDegrees: return 180 / .pi
        }
    }

    /// The q units need the wavelength; the exit angles do not.
    public var needsWavelength: Bool {
        switch quantity { case .qip, .qoop, .qtot, .chiGI: return true; default: return false }
    }

    /// The polar angle is periodic (pyFAI's `period`): its ranges are read as pyFAI reads χ's.
    public var isPeriodic: Bool { quantity == .chiGI }

    /// A range in this unit in internal units (nm⁻¹, rad), as pyFAI's `integrate2d_ng` takes it: divided by the scale;
    /// for the polar angle in degrees through `deg2rad` (into [−π, π)), in radians on the second axis through `rad2rad`
    /// (on the first, as it comes: pyFAI converts the wrong range there), and the upper end raised by 2π when it falls
    /// at or below the lower one.
    public func internalRange(_ range: ClosedRange<Double>, secondAxis: Bool) -> (lower: Double, upper: Double) {
        guard isPeriodic else { return (range.lowerBound / scale, range.upperBound / scale) }
        func floorMod(_ x: Double, _ y: Double) -> Double { let m = x.truncatingRemainder(dividingBy: y); return m != 0 && (m < 0) != (y < 0) ? m + y : m }
        func convert(_ x: Double) -> Double {
            if self == .chiGIDegrees {
                var rp = floorMod(x / 180, 2)
                if rp >= 1 { rp -= 2 }
                return rp * .pi
            }
            guard secondAxis else { return x }
            var r = floorMod(x, 2 * .pi)
            if r > .pi { r -= 2 * .pi }
            return r
        }
        let lower = convert(range.lowerBound), upper = convert(range.upperBound)
        return (lower, upper <= lower ? upper + 2 * .pi : upper)
    }

    /// A NeXus axis name and units.
    public var nexusAxis: (name: String, units: String) {
        let name: String
        switch quantity {
        case .qip: name = "qip"
        case .qoop: name = "qoop"
        case .qtot: name = "qtot"
        case .exitAngleVertical: name = "exit_angle_vert"
        case .exitAngleHorizontal: name = "exit_angle_horz"
        case .chiGI: name = "chigi"
        }
        switch self {
        case .qipNanometre, .qoopNanometre, .qtotNanometre: return (name, "1/nm")
        case .qipAngstrom, .qoopAngstrom, .qtotAngstrom: return (name, "1/angstrom")
        case .exitAngleVerticalDegrees, .exitAngleHorizontalDegrees, .chiGIDegrees: return (name, "degree")
        case .exitAngleVerticalRadians, .exitAngleHorizontalRadians, .chiGIRadians: return (name, "rad")
        }
    }

    /// Parses a unit option (`option` names it in the error).
    public static func option(_ text: String, option: String) throws -> FiberUnit {
        guard let unit = FiberUnit(rawValue: text) else {
            throw RoentgenError.badParameter("\(option) \(text): use \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return unit
    }
}

/// What turns an integration into a grazing-incidence / fiber one (pyFAI's `integrate2d_grazing_incidence` and
/// `integrate_fiber`): the sample frame, the two axes (the map's "radial" axis is `inPlaneUnit`, its "azimuthal" one
/// `outOfPlaneUnit`; `IntegrationOptions.npt` and `nptAzimuthal` count their bins, `radialRange` is the first's
/// range) and the second axis' range. Without pixel splitting only, as pyFAI asks.
public struct FiberIntegration: Sendable, Equatable {
    public var geometry: FiberGeometry
    public var inPlaneUnit: FiberUnit = .qipNanometre
    public var outOfPlaneUnit: FiberUnit = .qoopNanometre
    /// The out-of-plane axis' range in its unit (default: from the unmasked pixels, as pyFAI's 2-D histogram).
    public var outOfPlaneRange: ClosedRange<Double>?
    public init(geometry: FiberGeometry) { self.geometry = geometry }
}
