import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Files a reader opens by itself (HDF5 external links and virtual-dataset sources, the GSAS
/// instrument file beside a pattern) stay inside a bound `ReadConfinement` root: here a folder
/// holding a copy of the file, with the other files beside it as symbolic links leading out.
/// Unconfined (the command line), the same folder reads as before.
@Suite struct ReadConfinementTests {
    /// A temporary folder holding `copies` (fixture name → name in the folder) and symbolic links
    /// (name in the folder → absolute target outside it).
    static func folder(copies: [(URL, String)], links: [(String, URL)]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-confined-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (source, name) in copies { try FileManager.default.copyItem(at: source, to: root.appendingPathComponent(name)) }
        for (name, target) in links { try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(name).path, withDestinationPath: target.path) }
        return root.resolvingSymlinksInPath()
    }

    @Test func externalLinksOutOfTheRootAreNotFollowed() throws {
        let fixtures = HDF5Fixtures.folder
        // two_scans.h5 copied in; bliss_scan.h5 a link to the fixture outside.
        let root = try Self.folder(copies: [(fixtures.appendingPathComponent("master.h5"), "master.h5"), (fixtures.appendingPathComponent("two_scans.h5"), "two_scans.h5")],
                                   links: [("bliss_scan.h5", fixtures.appendingPathComponent("bliss_scan.h5"))])
        defer { try? FileManager.default.removeItem(at: root) }
        let master = root.appendingPathComponent("master.h5")
        let free = try FormatRegistry.read(master)
        #expect(free.scans.contains { $0.metadata["external file"] == "bliss_scan.h5" })
        #expect(free.scans.contains { $0.metadata["external file"] == "two_scans.h5" })
        let confined = try ReadConfinement.$root.withValue(root.path) { try FormatRegistry.read(master) }
        #expect(!confined.scans.contains { $0.metadata["external file"] == "bliss_scan.h5" })
        #expect(confined.scans.filter { $0.metadata["external file"] == "two_scans.h5" }.map(\.name)
                == free.scans.filter { $0.metadata["external file"] == "two_scans.h5" }.map(\.name))
        #expect(confined.warnings.contains { $0.contains("external link to bliss_scan.h5") && $0.contains("not followed: it leads out of the served workspace") },
                "\(confined.warnings)")
    }

    @Test func virtualSourcesOutOfTheRootAreNotRead() throws {
        let fixtures = HDF5Fixtures.folder
        let root = try Self.folder(copies: [(fixtures.appendingPathComponent("vds.h5"), "vds.h5")],
                                   links: [("vds_source.h5", fixtures.appendingPathComponent("vds_source.h5"))])
        defer { try? FileManager.default.removeItem(at: root) }
        let vds = root.appendingPathComponent("vds.h5")
        let free = try FormatRegistry.read(vds)
        #expect(free.scans.filter { $0.name.hasPrefix("entry/results[") }.count == 4)
        let confined = try ReadConfinement.$root.withValue(root.path) { try FormatRegistry.read(vds) }
        #expect(!confined.scans.contains { $0.name.hasPrefix("entry/results[") })
        #expect(confined.warnings.contains { $0.hasPrefix("/entry/results/intensity: not read:") && $0.contains("vds_source.h5 lies outside the served workspace") },
                "\(confined.warnings)")
        // An image stack opened under the confinement keeps it for its frames, read later on a
        // thread that has no binding of its own (as the integration's threads are).
        let data = try Data(contentsOf: vds)
        let stack = try ReadConfinement.$root.withValue(root.path) {
            try HDF5ImageStack(data: data, file: vds.path, dataset: "/entry/results/intensity")
        }
        let open = try HDF5ImageStack(data: data, file: vds.path, dataset: "/entry/results/intensity")
        let frames = Self.onAThread { () -> (confined: Result<[Double], any Error>, open: Result<[Double], any Error>) in
            (Result { try stack.frame(0) }, Result { try open.frame(0) })
        }
        #expect(throws: RoentgenError.self) { try frames.confined.get() }
        let values = try frames.open.get()
        #expect(values.count == stack.rows * stack.columns && values.count == 4 * (values.count / 4))
        #expect(Array(values.prefix(values.count / 4)) == (try HDF5Tests.anchor("vds_source.h5", "/frames/0")))
    }

    @Test func anInstrumentFileLeadingOutOfTheRootIsNotUsed() throws {
        guard let data = SharedData.url("xrd/gsas/11bmb_8716.fxye"), let prm = SharedData.url("xrd/gsas/11bmb_8716.prm") else {
            print(SharedData.missing("xrd/gsas/11bmb_8716.fxye")); return
        }
        let root = try Self.folder(copies: [(data, "11bmb_8716.fxye")], links: [("11bmb_8716.prm", prm)])
        defer { try? FileManager.default.removeItem(at: root) }
        let pattern = root.appendingPathComponent("11bmb_8716.fxye")
        let free = try FormatRegistry.read(pattern)
        #expect(!free.scans.isEmpty && free.scans.allSatisfy { $0.metadata["instrument.file"] != nil && $0.metadata["instrument.ICONS"] != nil })
        let confined = try ReadConfinement.$root.withValue(root.path) { try FormatRegistry.read(pattern) }
        #expect(confined.scans.allSatisfy { $0.metadata["instrument.file"] == nil })
        #expect(confined.warnings.contains { $0 == "instrument file 11bmb_8716.prm beside the data was not used: it leads out of the served workspace" },
                "\(confined.warnings)")
        // Inside the root, the same link is followed under the confinement.
        try FileManager.default.removeItem(at: root.appendingPathComponent("11bmb_8716.prm"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("inst"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: prm, to: root.appendingPathComponent("inst/real.prm"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("11bmb_8716.prm").path, withDestinationPath: "inst/real.prm")
        let inside = try ReadConfinement.$root.withValue(root.path) { try FormatRegistry.read(pattern) }
        #expect(inside.scans.allSatisfy { $0.metadata["instrument.file"]?.hasSuffix("11bmb_8716.prm") == true })
        #expect(inside.scans.map { $0.metadata["instrument.ICONS"] } == free.scans.map { $0.metadata["instrument.ICONS"] })
    }

    /// `work`'s result, computed on a new thread (no task, no task-local bindings).
    static func onAThread<T>(_ work: @escaping @Sendable () -> T) -> T {
        let box = ThreadResult<T>()
        let thread = Thread { box.value = work(); box.done.signal() }
        thread.start()
        box.done.wait()
        return box.value!
    }
}

/// What a thread computed, handed back once `done` is signalled.
private final class ThreadResult<T>: @unchecked Sendable {
    var value: T?
    let done = DispatchSemaphore(value: 0)
}
