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
    /// `temporaryFolder` (on the same file system) holds the temporary file instead of the
    /// destination's folder: a shard writes its outputs through its own `tmp/`, which it clears
    /// when it starts, so a killed run leaves nothing in the output folder.
    static func replace(_ url: URL, with data: Data, temporaryFolder: String? = nil) throws {
        let folder = url.deletingLastPathComponent().path
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw RoentgenError(.io, "cannot create the folder (\(error.localizedDescription))", file: folder)
        }
        let temporary = temporaryName(for: url, in: temporaryFolder ?? folder)
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
        if failure == nil && rename(temporary, url.path) != 0 {
            if errno == EXDEV && temporaryFolder != nil {   // another file system: through the destination's folder
                unlink(temporary)
                return try replace(url, with: data)
            }
            failure = String(cString: strerror(errno))
        }
        if let failure {
            unlink(temporary)
            throw RoentgenError(.io, "cannot write (\(failure))", file: url.path)
        }
    }

    /// `.NAME.PID.tmp` in `folder`: hidden, so no input listing picks it up.
    static func temporaryName(for url: URL, in folder: String) -> String {
        folder + "/.\(url.lastPathComponent).\(getpid()).tmp"
    }

    /// Removes temporary files of `names` in `folder` (`.NAME.PID.tmp`) left by processes that no
    /// longer run on this host (a killed merge). Temporaries of live processes are left alone.
    static func removeStaleTemporaries(of names: [String], in folder: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(".") && entry.hasSuffix(".tmp") {
            for name in names where entry.hasPrefix(".\(name).") {
                let pidText = entry.dropFirst(name.count + 2).dropLast(4)
                guard let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
                unlink(folder + "/" + entry)
            }
        }
    }
}
