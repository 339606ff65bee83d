import Foundation
import Testing
@_spi(Benchmarks) @testable import XrayCore

/// The SHA-NI compression (CRoentgenSHA) against the Swift one: same digests for the FIPS 180-4
/// example messages, for every length around the block boundaries, for random lengths fed in
/// random chunks, and the same as coreutils `sha256sum` on a 10 MB file.
@Suite struct SHA256ImplementationTests {
    static let both: [SHA256.Implementation] = [.hardware, .software]

    static func hex(_ data: Data, _ implementation: SHA256.Implementation) -> String {
        var hasher = SHA256(implementation: implementation)
        hasher.update(data)
        return hasher.finalizeHex()
    }

    /// A reproducible generator (SplitMix64), so a failing length/chunking can be replayed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e3779b97f4a7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
            z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
            return z ^ (z >> 31)
        }
    }

    static func randomBytes(_ count: Int, _ rng: inout SplitMix64) -> Data {
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        return Data(bytes)
    }

    @Test func hardwarePathIsChosenWhenTheCPUHasSHAExtensions() throws {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            print("SHA256ImplementationTests: no /proc/cpuinfo; cannot tell whether the CPU has SHA-NI"); return
        }
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let hasSHA = flags.split(separator: " ").contains("sha_ni") && flags.split(separator: " ").contains("sse4_1")
        #expect(SHA256.hardwareAvailable == hasSHA)
        #expect(SHA256().implementation == (hasSHA ? .hardware : .software))
        if !hasSHA { print("SHA256ImplementationTests: CPU without sha_ni; both paths below are the Swift one") }
    }

    @Test(arguments: both) func fipsExampleMessages(_ implementation: SHA256.Implementation) {
        // FIPS 180-4 / NIST CSRS example values (one block, two blocks, 896-bit message).
        #expect(Self.hex(Data(), implementation) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex(Data("abc".utf8), implementation) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8), implementation)
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let long = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(Self.hex(Data(long.utf8), implementation) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test(arguments: both) func millionAsFedInOddChunks(_ implementation: SHA256.Implementation) {
        var hasher = SHA256(implementation: implementation)
        let a = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        var offset = 0, step = 1
        while offset < a.count {
            let end = min(a.count, offset + step)
            hasher.update(a[offset..<end])
            offset = end
            step = step * 3 % 9_973 + 1   // 1, 4, 13, 40, … : partial, whole and multi-block updates
        }
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func everyLengthAroundTheBlockBoundariesAgrees() {
        var rng = SplitMix64(state: 1)
        let data = Self.randomBytes(300, &rng)
        for length in 0...data.count {
            let slice = data.prefix(length)
            #expect(Self.hex(slice, .hardware) == Self.hex(slice, .software), "length \(length)")
        }
    }

    @Test func randomLengthsInRandomChunksAgree() {
        var rng = SplitMix64(state: 0x5eed)
        for trial in 0..<200 {
            let length = Int.random(in: 0...10_000, using: &rng)
            let data = Self.randomBytes(length, &rng)
            let oneShot = Self.hex(data, .software)
            var hardware = SHA256(implementation: .hardware), software = SHA256(implementation: .software)
            var offset = 0
            while offset < length {
                let end = min(length, offset + Int.random(in: 0...300, using: &rng))
                hardware.update(data[offset..<end])
                software.update(data[offset..<end])
                offset = end
            }
            let (h, s) = (hardware.finalizeHex(), software.finalizeHex())
            #expect(h == s && s == oneShot, "trial \(trial): \(length) bytes")
        }
    }

    /// The hex digest coreutils' `tool` (sha256sum, md5sum) prints for `url`; nil where it is not installed.
    static func coreutilsDigest(_ tool: String, of url: URL) throws -> String? {
        guard let path = ["/usr/bin/\(tool)", "/bin/\(tool)"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("no \(tool) on this machine; comparison skipped"); return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init)
    }

    /// A temporary file of `count` pseudo-random bytes (removed by the caller).
    static func randomFile(_ count: Int, seed: UInt64) throws -> (URL, Data) {
        var rng = SplitMix64(state: seed)
        let data = randomBytes(count, &rng)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-digest-\(UUID().uuidString).bin")
        try data.write(to: url)
        return (url, data)
    }

    @Test func tenMegabyteFileMatchesCoreutilsSha256sum() throws {
        let (url, data) = try Self.randomFile(10 * 1_048_576 + 17, seed: 10)
        defer { try? FileManager.default.removeItem(at: url) }
        guard let expected = try Self.coreutilsDigest("sha256sum", of: url) else { return }
        #expect(try SHA256.hex(ofFileAt: url) == expected)
        #expect(Self.hex(data, .hardware) == expected)
        #expect(Self.hex(data, .software) == expected)
    }
}
