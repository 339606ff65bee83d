import OrderedCollections

/// Where a result came from and how it was made, so it can be reproduced and cited.
public struct Provenance: Sendable, Hashable, Codable {
    /// Catalog id, DOI or URL of the source, if known.
    public var source: String?
    /// Path of the file that was read.
    public var file: String?
    /// SHA-256 of the file's bytes, lower-case hex.
    public var sha256: String?
    /// The reader that parsed the file (format id, e.g. `"xdi"`).
    public var reader: String?
    /// The group or scan within the file, where a file holds several.
    public var group: String?
    /// Every processing parameter actually used, defaults included, as text.
    public var parameters: OrderedDictionary<String, String>

    public init(source: String? = nil, file: String? = nil, sha256: String? = nil, reader: String? = nil,
                group: String? = nil, parameters: OrderedDictionary<String, String> = [:]) {
        self.source = source
        self.file = file
        self.sha256 = sha256
        self.reader = reader
        self.group = group
        self.parameters = parameters
    }
}
