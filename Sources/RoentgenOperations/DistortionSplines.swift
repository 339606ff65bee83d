import Foundation
import Integration
import XrayCore

/// Reads the Fit2D distortion spline a geometry names (`SplineFile:` / `splineFile` in the PONI) or
/// that `--spline` gives, and attaches it to the geometry (`PONIGeometry.withSpline`): pixel sizes
/// become the spline's, as in pyFAI.
public enum DistortionSplines {
    /// `override` (`--spline FILE`) replaces the PONI's spline; `"none"` drops it. A relative path
    /// named by the PONI is looked for from the working directory (as pyFAI does), then beside the PONI.
    public static func attach(_ geometry: PONIGeometry, poni: String?, override: String?) throws -> PONIGeometry {
        if let override, override.lowercased() == "none" {
            var g = geometry
            g.splineFile = nil
            g.spline = nil
            return g
        }
        let named = override ?? geometry.splineFile
        guard let named else { return geometry }
        guard geometry.orientation == 3 else {
            throw RoentgenError.badParameter("a distortion spline ('\(named)') with detector orientation \(geometry.orientation): Roentgen applies a spline in orientation 3 only")
        }
        var path = named
        if override == nil, !FileManager.default.fileExists(atPath: path), !path.hasPrefix("/"), let poni {
            let beside = URL(fileURLWithPath: poni).deletingLastPathComponent().appendingPathComponent(named).path
            if FileManager.default.fileExists(atPath: beside) { path = beside }
        }
        let origin = override != nil ? "--spline" : "the PONI file \(poni ?? "")\(poni != nil ? " (looked in the working directory and beside the PONI)" : "")"
        let spline = try read(path, namedBy: origin)
        return geometry.withSpline(spline, file: path)
    }

    /// Reads the spline file at `path` (`origin` says who named it, in the error when it cannot be read).
    public static func read(_ path: String, namedBy origin: String = "--spline") throws -> Fit2DSpline {
        // Served: a PONI inside the workspace must not lead to a spline outside it.
        guard ReadConfinement.allows(path) else {
            throw ReadConfinement.Refused("the distortion spline lies outside the served workspace")
        }
        guard let text = try? String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8) else {
            throw RoentgenError(.io, "cannot read the distortion spline named by \(origin)", file: path)
        }
        return try Fit2DSpline.parse(text, file: path)
    }
}
