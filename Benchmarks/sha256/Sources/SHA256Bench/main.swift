// SHA256Bench [MiB] [FILE]: hashes MiB of pseudo-random bytes in memory (1 MiB updates) with each
// block compression, best of 3 runs (and MD5, SHA-512 for comparison), and optionally FILE
// through SHA256.hex(ofFileAt:).
import Foundation
@_spi(Benchmarks) import XrayCore

let mebibytes = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 256 : 256
var chunk = [UInt8](repeating: 0, count: 1 << 20)
var x: UInt64 = 0x9e3779b97f4a7c15
for i in chunk.indices { x = x &* 6364136223846793005 &+ 1442695040888963407; chunk[i] = UInt8(truncatingIfNeeded: x >> 33) }
let data = Data(chunk)

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

print("SHA-NI available: \(SHA256.hardwareAvailable)")
var digests: [String] = []
for implementation in [SHA256.Implementation.hardware, .software] where implementation == .software || SHA256.hardwareAvailable {
    var best = Double.infinity
    var hex = ""
    for _ in 0..<3 {
        best = min(best, seconds {
            var hasher = SHA256(implementation: implementation)
            for _ in 0..<mebibytes { hasher.update(data) }
            hex = hasher.finalizeHex()
        })
    }
    digests.append(hex)
    print(String(format: "  %-9@ %5d MiB in memory   %7.0f MiB/s", "\(implementation)", mebibytes, Double(mebibytes) / best))
}
/// The digests the fetch path computes beside SHA-256 when a source publishes them.
func otherDigest<H: StreamingDigest>(_ type: H.Type, _ name: String) {
    var best = Double.infinity
    for _ in 0..<3 {
        best = min(best, seconds {
            var hasher = H()
            for _ in 0..<mebibytes { hasher.update(data) }
            _ = hasher.finalize()
        })
    }
    print(String(format: "  %-9@ %5d MiB in memory   %7.0f MiB/s", name, mebibytes, Double(mebibytes) / best))
}
otherDigest(MD5.self, "md5")
otherDigest(SHA512.self, "sha512")
if Set(digests).count != 1 { print("  DIGESTS DIFFER: \(digests)"); exit(1) }
if CommandLine.arguments.count > 2 {
    let url = URL(fileURLWithPath: CommandLine.arguments[2])
    let size = Double((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0) / 1_048_576
    var hex = ""
    let t = seconds { hex = (try? SHA256.hex(ofFileAt: url)) ?? "error" }
    print(String(format: "  SHA256.hex(ofFileAt:) %5.0f MiB file  %7.0f MiB/s  %@", size, size / t, hex))
}
