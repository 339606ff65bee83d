import OrderedCollections

/// Ordered key → value metadata as a file carries it (`"Mono.d_spacing": "3.1356"`).
///
/// Keys keep the file's spelling and order; values stay text so nothing is lost in reading.
/// Readers should use namespaced keys where the format has them (XDI's `Element.symbol`),
/// and the file's own key otherwise.
public typealias Metadata = OrderedDictionary<String, String>
