import Foundation
import TestSupport

/// Tests/Fixtures/images (made by make_fixtures.py there) and its expected.json.
enum ImageFixtures {
    static let folder = SharedData.projectRoot.appendingPathComponent("Tests/Fixtures/images")

    struct Expected: Decodable {
        var shape: [Int]
        var frames: Int
        var dtype: String
        var sums: [Double]
        var pixels: [[Double]]
    }

    static let expected: [String: Expected] = {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("expected.json")),
              let table = try? JSONDecoder().decode([String: Expected].self, from: data) else { return [:] }
        return table
    }()

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }
}

/// ../shared/data/images/reference/fabio_readings_published.json.
struct FabioReadings: Decodable {
    struct File: Decodable {
        var file: String
        var shape: [Int]
        var dtype: String
        var sum: Double
        var min: Double
        var max: Double
        var n_negative: Int
        var n_zero: Int
        var argmax_row_col: [Int]
        var pixels: [[Double]]
        var row_sums_first5: [Double]
        var col_sums_first5: [Double]
        var header: [String: String]
        var header_keys: [String]
        enum CodingKeys: String, CodingKey {
            case file, shape, dtype, sum, min, max, n_negative, n_zero, argmax_row_col, row_sums_first5, col_sums_first5, header, header_keys
            case pixels = "pixels_[row,col,value]"
        }
    }
    var files: [File]
}
