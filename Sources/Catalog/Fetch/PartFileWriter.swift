import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XrayCore

/// The partial file of one transfer attempt, appended from `offset`: received bytes are gathered
/// into `batchSize` batches, written with `write(2)`, and only then are the hashing threads
/// (`FileTailHasher`, SHA-256 on one, the published algorithm on another) let read up to them.
/// Both transfer engines (libcurl and URLSession) write through this one type.
final class PartFileWriter {
    /// Bytes gathered before one `write` and one wake-up of the hashers. Network pieces are
    /// 16 KiB (URLSession) to 512 KiB (libcurl); batching cuts the system calls and context
    /// switches per GiB to ~1,000.
    static let batchSize = 1 << 20

    let partURL: URL
    /// Where this attempt started writing (the length of the part file it kept).
    let offset: Int64
    /// Bytes of the body received by this attempt (written, or waiting in the batch).
    private(set) var received: Int64 = 0
    private var fd: Int32
    private let batch: UnsafeMutableRawBufferPointer
    private var filled = 0
    private let hashers: [FileTailHasher]

    /// Opens (creating if needed) `partURL`, cuts it to `offset` bytes and starts hashing it:
    /// SHA-256 always, plus `expected` when the source published another algorithm.
    init(partURL: URL, offset: Int64, expected: Checksum.Algorithm?) throws {
        self.partURL = partURL
        self.offset = offset
        fd = open(partURL.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RoentgenError(.io, "cannot write partial download: \(String(cString: strerror(errno)))", file: partURL.path)
        }
        guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw RoentgenError(.io, "cannot write partial download: \(reason)", file: partURL.path)
        }
        batch = .allocate(byteCount: Self.batchSize, alignment: 4096)
        var hashers = [FileTailHasher(url: partURL, digests: DownloadDigests(expected: nil))]
        if expected != nil && expected != .sha256 {
            hashers.append(FileTailHasher(url: partURL, digests: DownloadDigests(expected: expected, sha256: false)))
        }
        self.hashers = hashers
        hashers.forEach { $0.advance(to: offset) }
    }

    deinit {
        if fd >= 0 { close(fd) }
        batch.deallocate()
    }

    /// The part file's length once everything received is written.
    var length: Int64 { offset + received }

    /// Appends received bytes; writes whenever a batch fills. A piece of half a batch or more
    /// (libcurl hands over up to 512 KiB at once) arriving on an empty batch is written as it is,
    /// without the copy.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        if filled == 0 && bytes.count >= Self.batchSize / 2 {
            try writeAll(bytes)
            received += Int64(bytes.count)
            for hasher in hashers { hasher.advance(to: length) }
            return
        }
        guard var source = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = min(left, Self.batchSize - filled)
            (batch.baseAddress! + filled).copyMemory(from: source, byteCount: n)
            filled += n
            received += Int64(n)
            source += n
            left -= n
            if filled == Self.batchSize { try flush() }
        }
    }

    /// Appends a `Data` (which may be several discontiguous regions).
    func append(_ data: Data) throws {
        for region in data.regions { try region.withUnsafeBytes { try append($0) } }
    }

    /// Writes the gathered bytes and lets the hashers read up to them.
    func flush() throws {
        try writeAll(UnsafeRawBufferPointer(rebasing: batch[0..<filled]))
        filled = 0
        for hasher in hashers { hasher.advance(to: length) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = write(fd, base + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw RoentgenError(.io, "cannot write: \(String(cString: strerror(errno)))", file: partURL.path)
            }
            done += n
        }
    }

    /// Stops hashing (the attempt failed; a resume re-hashes the kept prefix).
    func cancelHashing() {
        hashers.forEach { $0.cancel() }
    }

    /// Writes what is left, closes the file and waits for the digests of all `length` bytes.
    func finish() throws -> DownloadDigests {
        try flush()
        close(fd)
        fd = -1
        let parts = try hashers.map { try $0.finish(at: length) }
        return parts.dropFirst().reduce(parts[0]) { $0.merged(with: $1) }
    }
}
