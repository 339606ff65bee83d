import Foundation
import XrayCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for appending whose every `append` is on disk (fsync) when it returns.
final class AppendFile {
    let path: String
    private let fd: Int32

    init(_ path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw RoentgenError(.io, "cannot open for appending (\(String(cString: strerror(errno))))", file: path) }
    }

    deinit { close(fd) }

    func append(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw RoentgenError(.io, "write failed (\(String(cString: strerror(errno))))", file: path)
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw RoentgenError(.io, "fsync failed (\(String(cString: strerror(errno))))", file: path) }
    }

    /// Writes `data` to `url` through a temporary file in the same folder, fsynced, then renamed
    /// over it: readers see the old file or the whole new one, never a part.
    static func replace(_ url: URL, with data: Data) throws {
        let folder = url.deletingLastPathComponent().path
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw RoentgenError(.io, "cannot create the folder (\(error.localizedDescription))", file: folder)
        }
        let temporary = folder + "/.\(url.lastPathComponent).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw RoentgenError(.io, "cannot write (\(String(cString: strerror(errno))))", file: temporary) }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = String(cString: strerror(errno)); return }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(temporary, url.path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw RoentgenError(.io, "cannot write (\(failure))", file: url.path)
        }
    }
}
