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
        // The fit and integration routes' inputs (the fit files below name them).
        "xrd/pdf/pdfgetx3_Ni/ni300mesh_300k_nor_1-5-pdfgetx3.gr", "xrd/cif/diffpy/srreal_Ni.cif",
        "xas/feffit/cu_1shell/chi_cu_rt.dat", "xas/feffit/cu_1shell/feffcu01.dat",
        "xrd/rietveld/lab6_bruker/LaB6_Jan2018.raw", "xrd/rietveld/lab6_bruker/LaB6_CuKa12_start.instprm", "xrd/rietveld/lab6_bruker/LaB6.cif",
        "images/pixium_03150.tif", "images/DLS_CeO2_1200mm_pyFAI.poni", "images/DLS_CeO2_1200mm.mask",
        "images/Pilatus1M.edf", "images/Pilatus1M.poni",
        // The PONIs pyFAI's per-pixel geometry was probed with (images/reference/geometry_probe.json), and a calibrant file.
        "images/CeO2_Pilatus1M.poni", "images/DLS_CeO2_1200mm.poni", "images/b_toney_Lab6_thtth_rightside_scan2_0009.poni",
        "images/derived_poni/run2_1_00148_header.poni", "images/derived_poni/example_mar2300_header.poni",
        "images/derived_poni/AgBehenate_228_nexus.poni", "images/calibrants/AgBh.D",
        // A stack (10 frames), integrated frame by frame with a nominal PONI written beside it below.
        "images/lambda_testasapo1_1009_00002_m1_part00000.nxs",
        // A GSAS pattern whose instrument file beside it is a symbolic link out of the root (below).
        "xrd/gsas/11bmb_8716.fxye",
    ]
    /// The repository's example fit files, copied to `fits/` with their `../../../shared/data/` paths
    /// rebased onto the workspace (`../`); `fits/outside.yaml` is the PDF one with its files one folder
    /// above the root.
    static let examples = ["pdf-fit/ni_pdfgetx3-lesson1.yaml", "feffit/cu_1shell.yaml", "rietveld/lab6_bruker.yaml"]
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
        try fm.createDirectory(at: root.appendingPathComponent("fits"), withIntermediateDirectories: true)
        for example in examples {
            let text = try String(contentsOf: SharedData.projectRoot.appendingPathComponent("examples/" + example), encoding: .utf8)
            let name = (example as NSString).lastPathComponent
            try text.replacingOccurrences(of: "../../../shared/data/", with: "../").write(to: root.appendingPathComponent("fits/" + name), atomically: true, encoding: .utf8)
            if example.hasPrefix("pdf-fit/") {
                try text.replacingOccurrences(of: "../../../shared/data/", with: "../../").write(to: root.appendingPathComponent("fits/outside.yaml"), atomically: true, encoding: .utf8)
            }
        }
        try LambdaGeometry.poni.write(to: root.appendingPathComponent("images/lambda_nominal.poni"), atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("escape").path, withDestinationPath: "/etc")
        // Files the readers find by themselves, leading out of the root: the GSAS instrument file,
        // and the source file of an HDF5 virtual dataset (the fixture's, outside the workspace).
        if let prm = SharedData.url("xrd/gsas/11bmb_8716.prm") {
            try fm.createSymbolicLink(atPath: root.appendingPathComponent("xrd/gsas/11bmb_8716.prm").path, withDestinationPath: prm.path)
        }
        let hdf5 = SharedData.projectRoot.appendingPathComponent("Tests/Fixtures/hdf5")
        try fm.createDirectory(at: root.appendingPathComponent("h5"), withIntermediateDirectories: true)
        try fm.copyItem(at: hdf5.appendingPathComponent("vds.h5"), to: root.appendingPathComponent("h5/vds.h5"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("h5/vds_source.h5").path, withDestinationPath: hdf5.appendingPathComponent("vds_source.h5").path)
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
