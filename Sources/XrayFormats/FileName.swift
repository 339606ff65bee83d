import Foundation

/// The parts of a file path the readers need — last component, stem, suffix — taken from the
/// text itself, as `NSString`'s path methods define them but without bridging to `NSString`
/// (a few microseconds per call on Linux, on every file read).
enum FileName {
    /// The last path component: `"a/b/c.xy"` → `"c.xy"` (trailing slashes ignored).
    static func last(_ path: String) -> Substring {
        var end = path.endIndex
        while end > path.startIndex, path[path.index(before: end)] == "/" { end = path.index(before: end) }
        let trimmed = path[path.startIndex..<end]
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return trimmed[trimmed.index(after: slash)...]
    }

    /// The index of the dot that starts the extension of a name, if it has one: not a leading
    /// dot (`.hidden`), not a final dot (`file.`).
    private static func extensionDot(_ name: Substring) -> Substring.Index? {
        guard let dot = name.lastIndex(of: "."), dot > name.startIndex, name.index(after: dot) < name.endIndex else { return nil }
        return dot
    }

    /// The last component without its extension: `"dir/Li2MnO3+MnO+TiO2.xy"` → `"Li2MnO3+MnO+TiO2"`.
    static func stem(_ path: String) -> String {
        let name = last(path)
        return String(extensionDot(name).map { name[..<$0] } ?? name)
    }

    /// The extension, lower-cased, without the dot: `"FAP.XRA"` → `"xra"`; `""` if none.
    static func suffix(_ path: String) -> String {
        let name = last(path)
        return extensionDot(name).map { name[name.index(after: $0)...].lowercased() } ?? ""
    }

    /// The path without its extension (`"run/a.json"` → `"run/a"`), as `deletingPathExtension`.
    static func deletingSuffix(_ path: String) -> String {
        let name = last(path)
        guard let dot = extensionDot(name) else { return String(path[..<name.endIndex]) }
        return String(path[..<dot])
    }
}
