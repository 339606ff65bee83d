import Foundation
import TestSupport
@testable import Batch

/// A fresh temporary folder for one test.
func temporaryFolder(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-batch-tests")
        .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A plan written into `folder/plan.yaml` and loaded.
func writePlan(_ text: String, in folder: URL) throws -> (URL, BatchPlan) {
    let url = folder.appendingPathComponent("plan.yaml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return (url, try BatchPlan.load(url))
}

/// A plan converting the shared diffraction patterns under `xrd/<subfolders>` to .xy.
func xrdConvertPlan(in folder: URL, include: [String]) throws -> (URL, BatchPlan) {
    let data = SharedData.root.appendingPathComponent("xrd").path
    let list = include.map { "\"\($0)\"" }.joined(separator: ", ")
    return try writePlan("""
    inputs:
      - folder: \(data)
        include: [\(list)]
    step:
      verb: convert
      options: {to: xy}
    """, in: folder)
}

/// Every file under `folder` (relative path → bytes).
func tree(_ folder: URL) -> [String: Data] {
    var out: [String: Data] = [:]
    for rel in BatchInputs.files(under: folder.path, recursive: true) {
        out[rel] = FileManager.default.contents(atPath: folder.path + "/" + rel)
    }
    return out
}

/// Every hidden file or folder below `folder` (relative paths): what `tree` leaves out.
func hiddenFiles(under folder: URL) -> [String] {
    let all = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? []
    return all.filter { $0.split(separator: "/").contains { $0.hasPrefix(".") } }.sorted()
}

func contents(_ url: URL) -> String {
    String(decoding: FileManager.default.contents(atPath: url.path) ?? Data(), as: UTF8.self)
}
