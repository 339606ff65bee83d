/// A file-name pattern: `*` any run of characters but `/`, `?` one character but `/`, `**` any
/// run including `/` (so `reference/**` is everything below `reference`, `**/*.xy` every .xy at any
/// depth). A pattern without `/` is matched against the file name only, as `.gitignore` does.
struct PathPattern: Sendable {
    let text: String
    private let pattern: [Character]
    /// Matched against the whole relative path even without a `/` (a glob input's pattern).
    let anchored: Bool

    init(_ text: String, anchored: Bool = false) {
        self.text = text
        self.anchored = anchored
        pattern = Array(text)
    }

    func matches(_ relativePath: String) -> Bool {
        let subject = anchored || text.contains("/") ? relativePath : String(relativePath.split(separator: "/").last ?? "")
        return Self.match(pattern[...], Array(subject)[...])
    }

    private static func match(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>) -> Bool {
        guard let c = p.first else { return s.isEmpty }
        if c == "*" {
            let doubleStar = p.dropFirst().first == "*"
            let rest = p.dropFirst(doubleStar ? 2 : 1)
            // `**/` also matches no folder at all (`a/**/b` matches `a/b`).
            if doubleStar, rest.first == "/", match(rest.dropFirst(), s) { return true }
            if doubleStar && rest.isEmpty { return true }
            var i = s.startIndex
            while true {
                if match(rest, s[i...]) { return true }
                guard i < s.endIndex, doubleStar || s[i] != "/" else { return false }
                i = s.index(after: i)
            }
        }
        guard let first = s.first else { return false }
        if c == "?" ? first != "/" : c == first { return match(p.dropFirst(), s.dropFirst()) }
        return false
    }

    /// The folder part of a glob before its first wildcard (`data/xrd/**/*.xy` → `data/xrd`).
    static func fixedPrefix(_ glob: String) -> String {
        var kept: [Substring] = []
        for part in glob.split(separator: "/", omittingEmptySubsequences: false) {
            if part.contains(where: { "*?[".contains($0) }) { break }
            kept.append(part)
        }
        if kept.count == glob.split(separator: "/", omittingEmptySubsequences: false).count { kept.removeLast() }
        return kept.joined(separator: "/")
    }
}
