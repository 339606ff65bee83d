import Foundation

/// A streaming message digest (MD5, SHA-256, SHA-512): feed bytes, then finalize.
///
/// The download cache verifies files against the checksum each source publishes
/// (Zenodo md5, MDF sha512) and addresses them by SHA-256.
public protocol StreamingDigest {
    init()
    /// Feeds more bytes.
    mutating func update<D: DataProtocol>(_ data: D)
    /// Finishes and returns the digest bytes.
    mutating func finalize() -> [UInt8]
}

extension SHA256: StreamingDigest {}

public extension StreamingDigest {
    /// Finishes and returns the lower-case hex digest.
    mutating func finalizeHex() -> String {
        finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Lower-case hex digest of `data`.
    static func hexDigest<D: DataProtocol>(_ data: D) -> String {
        var hasher = Self()
        hasher.update(data)
        return hasher.finalizeHex()
    }

    /// Lower-case hex digest of a file's bytes, read in 1 MiB chunks.
    static func hexDigest(ofFileAt url: URL) throws -> String {
        var hasher = Self()
        try FileChunkReader(url: url).forEachChunk { hasher.update($0) }
        return hasher.finalizeHex()
    }
}

/// Buffers bytes into fixed-size blocks and hands whole blocks to `compress`, without
/// per-block allocation. Shared by MD5, SHA-256 and SHA-512.
struct BlockBuffer {
    let blockSize: Int
    private(set) var pending: [UInt8] = []
    private(set) var length: UInt64 = 0

    init(blockSize: Int) {
        self.blockSize = blockSize
        pending.reserveCapacity(blockSize)
    }

    /// Appends `data`, calling `compress` with a pointer to each complete block.
    mutating func append<D: DataProtocol>(_ data: D, _ compress: (UnsafePointer<UInt8>) -> Void) {
        let size = blockSize
        appendRuns(data) { start, count in
            for i in 0..<count { compress(start + i * size) }
        }
    }

    /// Appends `data`, calling `compress` with runs of consecutive complete blocks
    /// (a pointer and a block count), so a vectorised compression sees many blocks per call.
    mutating func appendRuns<D: DataProtocol>(_ data: D, _ compress: (UnsafePointer<UInt8>, Int) -> Void) {
        length &+= UInt64(data.count)
        for region in data.regions {
            region.withUnsafeBytes { raw in
                guard var p = raw.bindMemory(to: UInt8.self).baseAddress else { return }
                var remaining = raw.count
                if !pending.isEmpty {
                    let take = min(blockSize - pending.count, remaining)
                    pending.append(contentsOf: UnsafeBufferPointer(start: p, count: take))
                    p += take
                    remaining -= take
                    if pending.count == blockSize {
                        pending.withUnsafeBufferPointer { compress($0.baseAddress!, 1) }
                        pending.removeAll(keepingCapacity: true)
                    }
                }
                let whole = remaining / blockSize
                if whole > 0 {
                    compress(p, whole)
                    p += whole * blockSize
                    remaining -= whole * blockSize
                }
                if remaining > 0 { pending.append(contentsOf: UnsafeBufferPointer(start: p, count: remaining)) }
            }
        }
    }

    /// The Merkle–Damgård padding: 0x80, zeros, then the bit length in `lengthBytes` bytes.
    func padding(lengthBytes: Int, bigEndian: Bool) -> [UInt8] {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let used = (pending.count + 1 + lengthBytes) % blockSize
        tail += [UInt8](repeating: 0, count: used == 0 ? 0 : blockSize - used)
        var lengthField = [UInt8](repeating: 0, count: lengthBytes)
        for i in 0..<8 { lengthField[i] = UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * i)) }
        tail += bigEndian ? lengthField.reversed() : lengthField
        return tail
    }
}
