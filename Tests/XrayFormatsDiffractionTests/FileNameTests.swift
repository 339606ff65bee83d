import Foundation
import Testing
@testable import XrayFormats

/// `FileName` gives what `NSString`'s path methods give, on the names data files have.
@Suite struct FileNameTests {
    @Test(arguments: ["/work/shared/data/xrd/gsas/FAP.XRA", "xas/demeter/examples/groß.060", "Li2MnO3+MnO+TiO2.xy",
                      "a/b.c/d", "noext", "x.tar.gz", "dir/file.xye", "/abs/dir/", "Hansel2001_goethite_xanes_004.xd",
                      "two.cif", "bruker.raw", "ni300mesh_300k_nor_1-5-pdfgetx3.gr", "Keokuk kaolinite.RAW"])
    func agreesWithNSString(_ path: String) {
        let ns = path as NSString
        #expect(FileName.suffix(path) == ns.pathExtension.lowercased())
        #expect(FileName.stem(path) == (ns.lastPathComponent as NSString).deletingPathExtension)
        #expect(String(FileName.last(path)) == ns.lastPathComponent)
        #expect(FileName.deletingSuffix(path) == ns.deletingPathExtension)
    }

    @Test func hiddenAndTrailingDotNamesHaveNoSuffix() {
        #expect(FileName.suffix(".hidden") == "" && FileName.stem(".hidden") == ".hidden")
        #expect(FileName.suffix("file.") == "")
    }
}
