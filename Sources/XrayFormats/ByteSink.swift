import Foundation
import XrayCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a writer puts its bytes, in order: memory (`DataSink`) or a file (`FileSink`). Writers of
/// large arrays (`NPZWriter`, `HDF5Writer`) hand the arrays' own storage to `append`, so a file of
/// hundreds of megabytes is written without a copy of it in memory.
public protocol ByteSink {
    /// Bytes appended so far.
    var offset: UInt64 { get }
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSink {
    public mutating func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }
}

/// Bytes collected in memory.
public struct DataSink: ByteSink {
    public var data = Data()
    public init() {}
    public var offset: UInt64 { UInt64(data.count) }
    public mutating func append(_ bytes: UnsafeRawBufferPointer) throws { data.append(contentsOf: bytes) }
}

/// Bytes written to a temporary file beside `destination` (`.NAME.PID.tmp`), renamed over it by
/// `commit()`: readers see the old file or the whole new one. Not fsynced (the callers' files are
/// rewritten from their inputs after a crash). A sink dropped without `commit()` removes its
/// temporary file.
public final class FileSink: ByteSink {
    public let destination: URL
    public let temporaryPath: String
    private var fd: Int32
    public private(set) var offset: UInt64 = 0

    /// The temporary name used for `destination` by this process.
    public static func temporaryPath(for destination: URL) -> String {
        destination.deletingLastPathComponent().path + "/.\(destination.lastPathComponent).\(getpid()).tmp"
    }

    public init(_ destination: URL) throws {
        self.destination = destination
        temporaryPath = Self.temporaryPath(for: destination)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw RoentgenError(.io, "cannot write (\(String(cString: strerror(errno))))", file: destination.path) }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporaryPath)
        }
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw RoentgenError(.io, "written after commit", file: destination.path) }
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            // At most 1 GiB per call (Linux writes at most 0x7ffff000 bytes at once).
            let n = write(fd, base + done, min(bytes.count - done, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                throw RoentgenError(.io, "cannot write (\(String(cString: strerror(errno))))", file: destination.path)
            }
            done += n
        }
        offset += UInt64(bytes.count)
    }

    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// Closes the temporary file and renames it to `destination`.
    public func commit() throws {
        guard fd >= 0 else { return }
        let closed = close(fd)
        fd = -1
        guard closed == 0, rename(temporaryPath, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw RoentgenError(.io, "cannot write (\(reason))", file: destination.path)
        }
    }
}
