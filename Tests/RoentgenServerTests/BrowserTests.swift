import Foundation
import Testing
import TestSupport

/// The app in real headless Chromium (Debian's `chromium`, installed by `.ci/run`), driven over the
/// DevTools protocol on a pipe by `Browser/browser_test.py` (Python's standard library only).
/// Screenshots go to `.build/screenshots/serve/` for people to look at.
@Suite(.serialized) struct BrowserTests {
    static let chromium = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let python: String? = ((ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { $0 + "/python3" }
        + ["/usr/bin/python3"]).first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func appInHeadlessChromium() throws {
        guard let chromium = Self.chromium, let python = Self.python else {
            print("skipping the browser tests: chromium or python3 is not installed (.ci/run installs Debian's chromium)")
            return
        }
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        let server = try LiveServer(root: root)
        #expect(server.port > 0)
        let shots = SharedData.projectRoot.appendingPathComponent(".build/screenshots/serve")
        let script = SharedData.projectRoot.appendingPathComponent("Tests/RoentgenServerTests/Browser/browser_test.py")
        let reference = try #require(SharedData.url("images/reference"), "ServerWorkspace.make checked ../shared/data")
        let output = try runCapturing(URL(fileURLWithPath: python), [script.path, chromium, server.url, shots.path, reference.path])
        var results: [String: (Bool, String)] = [:]
        for line in output.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let name = object["check"] as? String else { continue }
            let detail = object["detail"].flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
            results[name] = ((object["ok"] as? Bool) ?? false, detail)
            print("browser: \(name): \((object["ok"] as? Bool) == true ? "ok" : "FAILED") \(detail.prefix(400))")
        }
        #expect(results["script"] == nil, "the script failed: \(results["script"]?.1 ?? "")")
        for check in ["app loads", "catalog search and record", "fetch with progress", "keyboard tabs", "workspace lists format and summary", "mu(E) drawn", "rbkg changes chi(k)",
                      "LCF weights", "drag zoom and cursor readout", "log scale and export", "CIF sticks over the pattern", "identify against a folder of CIFs", "PDF fit in the Fits view",
                      "workspace opens images and PONIs in Images", "image frame as fabio reads it", "mask loaded", "geometry readout as pyFAI's", "image zoom and cursor readout", "calibrant rings drawn",
                      "integrate in the Images view", "pattern written and opened in Diffraction", "mask drawn, saved and used", "polygon mask", "cake in the Images view", "grazing-incidence map in the Images view", "grazing-incidence profile in the Images view", "stack frame integrated alone", "calibrate in the Images view", "10^6-point redraw on zoom", "no console errors"] {
            #expect(results[check]?.0 == true, "\(check): \(results[check]?.1 ?? "not run")")
        }
        for name in ["01-sources", "04-xas", "05-lcf", "06-plots-zoomed", "07-diffraction", "08-fits", "09-images", "10-images-integrated", "10a-images-mask", "10b-images-cake", "10c-images-gi", "11-images-calibrated"] {
            #expect(FileManager.default.fileExists(atPath: shots.appendingPathComponent(name + ".png").path), "screenshot \(name)")
        }
        #expect(server.interrupt() == 0)
    }
}
