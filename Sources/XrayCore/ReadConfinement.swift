import Foundation

/// Where a reader may open a file that nobody named: the GSAS instrument file found beside a
/// pattern, the target of an HDF5 external link, the source file of an HDF5 virtual dataset.
///
/// The command line reads wherever its user points it, so by default nothing is confined.
/// `roentgen serve` binds its workspace root for every request (and carries it onto the threads a
/// request hands work to), so that a file inside the workspace cannot lead the server to read one
/// outside it, through a symbolic link or an absolute path. Files a client names are checked by
/// the server's workspace before any reader sees them; this covers the ones the readers find.
public enum ReadConfinement {
    /// The confining folder's path with symbolic links resolved, or nil for no confinement.
    @TaskLocal public static var root: String?

    /// Whether `path` may be opened: always without a root; with one, when the path, symbolic
    /// links resolved, is the root or lies inside it.
    public static func allows(_ path: String) -> Bool {
        guard let root else { return true }
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        return real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// The error for a file a reader found by itself that lies outside the confining root (the
    /// server answers it as it answers a client's path outside the workspace).
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Runs `work` with `root` bound (nil: unconfined), for work handed to a thread of its own.
    public static func with<T>(_ root: String?, _ work: () throws -> T) rethrows -> T {
        try $root.withValue(root) { try work() }
    }
}
