/// Shared by the fuzz tests of several test targets.
/// Random mutations of a valid file: truncation, byte flips, inserted garbage, overwritten
/// 32-bit fields (the lengths and counts binary headers are made of), deleted spans.
public enum Mutator {
    public static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        let rounds = Int.random(in: 1...3, using: &rng)
        for _ in 0..<rounds where !bytes.isEmpty {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:
                bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng))
            case 1:
                for _ in 0..<Int.random(in: 1...16, using: &rng) {
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                }
            case 2:
                let i = Int.random(in: 0...bytes.count, using: &rng)
                let junk = (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                bytes.insert(contentsOf: junk, at: i)
            case 3:
                guard bytes.count >= 4 else { break }
                let i = Int.random(in: 0...(bytes.count - 4), using: &rng)
                let v: UInt32 = [0, 1, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, UInt32.random(in: 0...UInt32.max, using: &rng)]
                    .randomElement(using: &rng)!
                for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            case 4:
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                let n = min(Int.random(in: 1...256, using: &rng), bytes.count - i)
                bytes.removeSubrange(i..<(i + n))
            default:
                // Text-level damage for the XML and text formats: swap in structural characters.
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = Array("<>/\"=&;,. -0123456789eE\n\r\t#_*".utf8).randomElement(using: &rng)!
            }
        }
        return bytes
    }
}
