import Foundation

/// The same geometry in Fit2D's terms (pyFAI `Geometry.getFit2D` / `setFit2D`): the distance
/// along the beam to the detector in mm, the beam centre in pixels (x = column, y = row), the
/// tilt of the detector plane and the rotation of the tilt plane, in degrees. `rot3` is not
/// representable (taken as 0).
public struct Fit2DGeometry: Sendable, Equatable {
    public var directDistance: Double
    public var centerX: Double
    public var centerY: Double
    public var tilt: Double
    public var tiltPlaneRotation: Double

    public init(directDistance: Double, centerX: Double, centerY: Double, tilt: Double = 0, tiltPlaneRotation: Double = 0) {
        self.directDistance = directDistance
        self.centerX = centerX
        self.centerY = centerY
        self.tilt = tilt
        self.tiltPlaneRotation = tiltPlaneRotation
    }
}

extension PONIGeometry {
    /// Fit2D's description of this geometry.
    public var fit2d: Fit2DGeometry {
        let cosTilt = cos(rot1) * cos(rot2)
        let sinTilt = (1 - cosTilt * cosTilt).squareRoot()
        let tanTilt = sinTilt / cosTilt
        var cosTPR = 1.0, sinTPR = 0.0
        if sinTilt != 0 {
            cosTPR = max(-1, min(1, -cos(rot2) * sin(rot1) / sinTilt))
            sinTPR = sin(rot2) / sinTilt
        }
        var tpr = acos(cosTPR)
        if sinTPR < 0 { tpr = -tpr }
        let centerX = (poni2 + distance * tanTilt * cosTPR) / pixel2
        let centerY = abs(tanTilt) < 1e-12 ? poni1 / pixel1 : (poni1 + distance * tanTilt * sinTPR) / pixel1
        return Fit2DGeometry(directDistance: distance / cosTilt * 1000, centerX: centerX, centerY: centerY,
                             tilt: acos(cosTilt) * 180 / .pi, tiltPlaneRotation: tpr * 180 / .pi)
    }

    /// The PONI geometry of a Fit2D description (pixel sizes and wavelength in metres).
    public init(fit2d f: Fit2DGeometry, pixel1: Double, pixel2: Double, wavelength: Double? = nil) {
        let tilt = f.tilt * .pi / 180, tpr = f.tiltPlaneRotation * .pi / 180
        let cosTilt = cos(tilt), sinTilt = sin(tilt)
        let direct = f.directDistance * 1e-3
        let rot2 = asin(sinTilt * sin(tpr))
        var rot1 = acos(max(-1, min(1, cosTilt / cos(rot2))))
        if cos(tpr) * sinTilt > 0 { rot1 = -rot1 }
        self.init(distance: direct * cosTilt,
                  poni1: f.centerY * pixel1 - direct * sinTilt * sin(tpr),
                  poni2: f.centerX * pixel2 - direct * sinTilt * cos(tpr),
                  rot1: rot1, rot2: rot2, rot3: 0, pixel1: pixel1, pixel2: pixel2, wavelength: wavelength)
    }
}
