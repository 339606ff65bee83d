import Foundation
import TestSupport
import Testing

/// Reads Larch's answers in ../shared/data/xas/feffit/reference and the cases' recipe.json files.
enum FeffitReference {
    static let folder = "xas/feffit"

    /// The parsed JSON object of `relativePath` under xas/feffit, or nil (with the skip message printed).
    static func json(_ relativePath: String) throws -> [String: Any]? {
        guard let url = SharedData.url("\(folder)/\(relativePath)") else {
            print(SharedData.missing("\(folder)/\(relativePath)"))
            return nil
        }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    }

    /// The URL of a file under xas/feffit (it exists when `json` found the folder).
    static func url(_ relativePath: String) -> URL? { SharedData.url("\(folder)/\(relativePath)") }

    static func doubles(_ any: Any?) -> [Double] { (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue } }
}
