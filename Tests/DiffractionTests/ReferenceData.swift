import Foundation
import TestSupport

/// Loads JSON reference files from ../shared/data in place.
enum ReferenceData {
    static func json(_ relativePath: String) -> Any? {
        guard let url = SharedData.url(relativePath), let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try? JSONSerialization.jsonObject(with: data)
    }
}
