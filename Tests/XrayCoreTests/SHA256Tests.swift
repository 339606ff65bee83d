import Foundation
import Testing
@testable import XrayCore
import TestSupport

@Suite struct SHA256Tests {
    // FIPS 180-4 example vectors (checked against coreutils sha256sum).
    @Test func emptyString() {
        #expect(SHA256.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func abc() {
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func twoBlockMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(SHA256.hex(Data(message.utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func millionAsInChunksMatchesOneShot() {
        var hasher = SHA256()
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        #expect(hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sharedReferenceDatabaseMatchesItsPublishedChecksum() throws {
        // ../shared/data/reference/README.md publishes the sha256 of xraydb.sqlite.
        guard let url = SharedData.url("reference/xraydb.sqlite") else {
            print(SharedData.missing("reference/xraydb.sqlite")); return
        }
        #expect(try SHA256.hex(ofFileAt: url) == "fd58bcc4213e3a7c6ecd32d1d8dfd7f4c74526ca468a3df62cce99afeb5ff5bf")
    }
}

@Suite struct ElementTests {
    @Test func lookupBySymbolNameAndNumber() {
        #expect(Element.named("fe")?.atomicNumber == 26)
        #expect(Element.named("Arsenic")?.symbol == "As")
        #expect(Element.withAtomicNumber(42)?.symbol == "Mo")
        #expect(Element.withAtomicNumber(0) == nil)
        #expect(Element.all.count == 118)
    }
}

@Suite struct RoentgenErrorTests {
    @Test func descriptionNamesFileAndLine() {
        let error = RoentgenError.badFile("a.xdi", line: 12, "expected '# XDI/1.0' on the first line")
        #expect(error.description == "a.xdi:12: expected '# XDI/1.0' on the first line")
        let network = RoentgenError(.network, "HTTP 503", url: "https://zenodo.org/api/records")
        #expect(network.description == "https://zenodo.org/api/records: HTTP 503")
    }
}
