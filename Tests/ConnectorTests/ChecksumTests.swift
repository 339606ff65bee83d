import Foundation
import Testing
import XrayCore

@Suite struct ChecksumTests {
    // RFC 1321 appendix A.5 test suite.
    @Test func md5RFC1321Vectors() {
        #expect(MD5.hexDigest(Data()) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hexDigest(Data("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hexDigest(Data("message digest".utf8)) == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(MD5.hexDigest(Data("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)) == "d174ab98d277d9f5a5611c2c9f419d9f")
        let digits = String(repeating: "1234567890", count: 8)
        #expect(MD5.hexDigest(Data(digits.utf8)) == "57edf4a22be3c955ac49da2e2107b67a")
    }

    // FIPS 180-4 examples (also in RFC 6234).
    @Test func sha512FIPSVectors() {
        #expect(SHA512.hexDigest(Data()) == "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")
        #expect(SHA512.hexDigest(Data("abc".utf8)) == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        let twoBlock = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(SHA512.hexDigest(Data(twoBlock.utf8)) == "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909")
    }

    /// Feeding odd-sized chunks gives the same digest as one shot, across block boundaries.
    @Test func chunkedMatchesOneShot() {
        let bytes = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        var md5 = MD5(), sha512 = SHA512()
        var i = 0
        for size in [1, 63, 64, 65, 127, 128, 129, 1000].cycled(until: bytes.count) {
            let end = min(i + size, bytes.count)
            md5.update(bytes[i..<end]); sha512.update(bytes[i..<end])
            i = end
        }
        #expect(md5.finalizeHex() == MD5.hexDigest(bytes))
        #expect(sha512.finalizeHex() == SHA512.hexDigest(bytes))
    }

    /// Against coreutils on a real file from ../shared (where md5sum/sha512sum exist).
    @Test func matchesCoreutilsOnARealFile() throws {
        guard let file = Fixture.url("datacite/doi-10.5878_xyad-9f70.json") else { print("shared data absent: skipping"); return }
        for (tool, ours) in [("/usr/bin/md5sum", try MD5.hexDigest(ofFileAt: file)), ("/usr/bin/sha512sum", try SHA512.hexDigest(ofFileAt: file))] {
            guard FileManager.default.fileExists(atPath: tool) else { continue }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = [file.path]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(out.split(separator: " ").first.map(String.init) == ours, "\(tool)")
        }
    }
}

extension Array {
    /// Repeats the elements until their sum reaches `total` (for chunk-size lists).
    func cycled(until total: Int) -> [Element] where Element == Int {
        var out: [Int] = []
        var sum = 0
        while sum < total { for x in self { out.append(x); sum += x } }
        return out
    }
}
