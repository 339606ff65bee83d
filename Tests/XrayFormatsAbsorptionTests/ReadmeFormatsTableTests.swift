import Foundation
import Testing
import TestSupport
import XrayFormats

@Suite struct ReadmeFormatsTableTests {
    /// The README's format table is `roentgen formats --markdown`: it must list every registered reader.
    @Test func readmeListsEveryRegisteredReader() throws {
        let readme = try String(contentsOf: SharedData.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(FormatTable.markdown().trimmingCharacters(in: .newlines)),
                "README.md's format table is out of date: paste `roentgen formats --markdown`")
    }
}
