import Foundation
import XrayCore
import XrayFormats

/// The last few files read and parsed, with their SHA-256, for a long-running process (the server)
/// that reads the same spectrum on every parameter change. An entry is used only while the file's
/// size, modification time (to the nanosecond) and inode are unchanged; otherwise the file is read
/// again. Off by default: the CLI reads each file once.
public final class ParsedFileCache: @unchecked Sendable {
    public static let shared = ParsedFileCache()
    public init() {}

    struct Stamp: Equatable { var size: Int64; var modified: timespec; var inode: UInt64
        static func == (a: Stamp, b: Stamp) -> Bool {
            a.size == b.size && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec && a.inode == b.inode
        }
    }
    struct Entry { var stamp: Stamp; var file: DataFile; var sha256: String }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    /// Whether reads go through the cache (the server turns it on).
    public var enabled: Bool {
        get { lock.withLock { _enabled } }
        set { lock.withLock { _enabled = newValue } }
    }
    private var _enabled = false
    /// Files kept.
    let capacity = 16

    static func stamp(_ path: String) -> Stamp? {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        return Stamp(size: Int64(s.st_size), modified: s.st_mtim, inode: UInt64(s.st_ino))
    }

    /// `FormatRegistry.read(url)` and the file's SHA-256, from the cache when the file is unchanged.
    public func read(_ url: URL) throws -> (file: DataFile, sha256: String) {
        let path = url.path
        guard enabled, let stamp = Self.stamp(path) else {
            return (try FormatRegistry.read(url), try SHA256.hex(ofFileAt: url))
        }
        if let hit = lock.withLock({ entries[path] }), hit.stamp == stamp { return (hit.file, hit.sha256) }
        let file = try FormatRegistry.read(url), sha = try SHA256.hex(ofFileAt: url)
        // Keep it only if the file did not change while it was read.
        if Self.stamp(path) == stamp {
            lock.withLock {
                if entries[path] == nil { order.append(path) }
                entries[path] = Entry(stamp: stamp, file: file, sha256: sha)
                while order.count > capacity { entries[order.removeFirst()] = nil }
            }
        }
        return (file, sha)
    }
}
