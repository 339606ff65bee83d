import Foundation
import TestSupport

/// A temporary workspace holding copies of a few real files from ../shared/data (copied at run
/// time, never committed), a symbolic link leading out of it and one staying inside.
enum ServerWorkspace {
    static let files = [
        "xas/xaslib/Fe_metal_rt_01.xdi", "xas/xaslib/FeO_rt_01.xdi", "xas/xaslib/Fe2O3_rt_01.xdi",
        "xas/xaslib/Cu_Foil_rt_2016Foils.xdi", "xas/lcf/fe_mixture_synthetic.dat",
        "xrd/cif/common/AMCSD_Rutile.cif", "xrd/bruker_raw/LaB6_Jan2018.raw",
        "xrd/text/xrd_autoanalyzer/Li2MnO3+MnO+TiO2.xy",
        "xrd/pdf/pdfgetx3_Ni/ni300mesh_300k_nor_1-5.chi", "xrd/pdf/pdfgetx3_Ni/kapton_bgrd_300k_nor_2-3.chi",
    ]
    static let folders = ["xrd/cif/xrd_autoanalyzer_refs"]

    /// nil (with the reason) where ../shared/data is absent.
    static func make() throws -> (URL?, String) {
        for f in files + folders where SharedData.url(f) == nil { return (nil, SharedData.missing(f)) }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-serve-ws-\(UUID().uuidString)")
        let fm = FileManager.default
        for f in files + folders {
            let target = root.appendingPathComponent(f)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard let source = SharedData.url(f) else { continue }
            try fm.copyItem(at: source, to: target)
            // The shared copy in CI has no write bits: make the workspace's copies removable.
            try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
        }
        if let refs = try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(folders[0]).path) {
            for r in refs { try? fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: root.appendingPathComponent(folders[0] + "/" + r).path) }
        }
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("escape").path, withDestinationPath: "/etc")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("inside.xdi").path, withDestinationPath: "xas/xaslib/Fe_metal_rt_01.xdi")
        // A folder of candidates with one entry leading out of the root.
        try fm.createDirectory(at: root.appendingPathComponent("mixed"), withIntermediateDirectories: true)
        try fm.copyItem(at: root.appendingPathComponent("xrd/cif/common/AMCSD_Rutile.cif"), to: root.appendingPathComponent("mixed/AMCSD_Rutile.cif"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("mixed/passwd.cif").path, withDestinationPath: "/etc/passwd")
        return (root, "")
    }

    static func remove(_ root: URL) {
        try? FileManager.default.removeItem(at: root)
    }
}
