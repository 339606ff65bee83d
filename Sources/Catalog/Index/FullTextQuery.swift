/// Turns what a user types into an FTS5 MATCH expression.
enum FullTextQuery {
    /// The words of `text` (letters and digits; everything else separates words), lower-cased.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `"w1" AND "w2"` (or OR): each word quoted, so FTS5 operators in user text stay words.
    static func match(_ words: [String], all: Bool) -> String {
        words.map { "\"\($0)\"" }.joined(separator: all ? " AND " : " OR ")
    }
}
