import Foundation

/// Where a CIF says it comes from: the Crystallography Open Database id (`_cod_database_code`)
/// and the DOI of the paper (`_journal_paper_doi`), read from the text without parsing the structure.
public enum CIFSourceTags {
    /// The two tags' values (first data block), unquoted; nil where absent or `?`/`.`.
    public static func read(_ data: Data) -> (codID: String?, doi: String?) {
        var cod: String?, doi: String?
        // The tags sit in the header of a block: look at the first 64 kB only.
        let text = String(decoding: data.prefix(65_536), as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard trimmed.hasPrefix("_") else { continue }
            let parts = trimmed.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2 else { continue }
            let tag = parts[0].lowercased()
            var value = parts[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let q = value.first, q == "'" || q == "\"", value.last == q { value = String(value.dropFirst().dropLast()) }
            guard !value.isEmpty, value != "?", value != "." else { continue }
            if tag == "_cod_database_code", cod == nil { cod = value }
            if tag == "_journal_paper_doi", doi == nil { doi = value }
            if cod != nil && doi != nil { break }
        }
        return (cod, doi)
    }

    /// `COD 9008565; doi:10.…` (the parts that are present), or "" when neither is.
    public static func describe(_ data: Data) -> String {
        let tags = read(data)
        return [tags.codID.map { "COD \($0)" }, tags.doi.map { "doi:\($0)" }].compactMap { $0 }.joined(separator: "; ")
    }
}
