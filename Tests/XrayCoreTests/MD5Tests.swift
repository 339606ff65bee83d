import Foundation
import Testing
import XrayCore

/// MD5 (the checksum Zenodo publishes) against coreutils `md5sum`, beyond the short RFC 1321
/// vectors in ConnectorTests' ChecksumTests: a 3 MB file, hashed whole and in odd chunks.
@Suite struct MD5Tests {
    @Test func threeMegabyteFileMatchesCoreutilsMd5sum() throws {
        let (url, data) = try SHA256ImplementationTests.randomFile(3 * 1_048_576 + 5, seed: 5)
        defer { try? FileManager.default.removeItem(at: url) }
        guard let expected = try SHA256ImplementationTests.coreutilsDigest("md5sum", of: url) else { return }
        #expect(try MD5.hexDigest(ofFileAt: url) == expected)
        var hasher = MD5()
        var offset = 0, step = 1
        while offset < data.count {
            let end = min(data.count, offset + step)
            hasher.update(data[offset..<end])
            offset = end
            step = step * 7 % 65_537 + 1
        }
        #expect(hasher.finalizeHex() == expected)
    }

    @Test func rfc1321MillionAs() {
        #expect(MD5.hexDigest(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)) == "7707d6ae4e027c70eea2a935c2296f21")
    }
}
