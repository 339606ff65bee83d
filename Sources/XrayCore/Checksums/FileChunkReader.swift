import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file front to back into one reused buffer with `pread(2)`: one system call and no
/// allocation per chunk. (`FileHandle.read(upToCount:)` on Linux issues one 4 KiB `read` at a
/// time and allocates a new `Data` per call: 260,000 system calls per GiB.) Used to hash files.
public final class FileChunkReader {
    public let url: URL
    /// Bytes read so far (the file offset of the next chunk).
    public private(set) var offset: Int64 = 0
    private let descriptor: Int32
    private let buffer: UnsafeMutableRawBufferPointer

    /// Opens `url` for reading, with chunks of at most `chunkSize` bytes.
    public init(url: URL, chunkSize: Int = 1 << 20) throws {
        self.url = url
        descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RoentgenError(.io, "cannot open file for reading: \(String(cString: strerror(errno)))", file: url.path)
        }
        buffer = .allocate(byteCount: max(1, chunkSize), alignment: 64)
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// The next chunk of at most `limit` bytes, valid until the next call; empty at end of file.
    public func next(limit: Int = .max) throws -> UnsafeRawBufferPointer {
        let wanted = min(buffer.count, max(0, limit))
        guard wanted > 0 else { return UnsafeRawBufferPointer(start: buffer.baseAddress, count: 0) }
        while true {
            let n = pread(descriptor, buffer.baseAddress, wanted, off_t(offset))
            if n >= 0 {
                offset += Int64(n)
                return UnsafeRawBufferPointer(start: buffer.baseAddress, count: n)
            }
            if errno != EINTR {
                throw RoentgenError(.io, "read failed at byte \(offset): \(String(cString: strerror(errno)))", file: url.path)
            }
        }
    }

    /// Calls `body` with each chunk until end of file (or until `count` bytes, if given).
    public func forEachChunk(upTo count: Int64? = nil, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            let left = count.map { $0 - offset } ?? Int64(Int.max)
            guard left > 0 else { return }
            let chunk = try next(limit: Int(min(left, Int64(Int.max))))
            if chunk.isEmpty { return }
            try body(chunk)
        }
    }
}
