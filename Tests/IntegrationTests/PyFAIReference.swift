import Foundation
import TestSupport

/// ../shared/data/images/reference/integrate1d_pixium_03150.json and geometry_probe.json.
struct PixiumReference: Decodable {
    struct Result: Decodable {
        var variant: String
        var unit: String
        var method_key: String
        var correctSolidAngle: Bool
        var polarization_factor: Double?
        var mask: String
        var radial_range: [Double]?
        var radial: [Double?]
        var intensity: [Double?]
        var sigma: [Double?]
        var count: [Double?]?
    }
    var results: [Result]
    var mask_count: Int
}

struct GeometryProbe: Decodable {
    struct Pixel: Decodable {
        var row: Int
        var col: Int
        var tth_rad: Double
        var chi_rad: Double
        var r_m: Double
        var q: Double?
        var solid_angle_rel: Double
        var polarization: Double
        enum CodingKeys: String, CodingKey {
            case row, col, tth_rad, chi_rad, r_m, solid_angle_rel
            case q = "q_nm^-1"
            case polarization = "polarization_0.99"
        }
    }
    struct Image: Decodable {
        var image_id: String
        var poni_file: String
        var pixels: [Pixel]
        var tth_min_rad: Double
        var tth_max_rad: Double
        var solid_angle_sum: Double
        var polarization: Double
        enum CodingKeys: String, CodingKey {
            case image_id, poni_file, pixels, tth_min_rad, tth_max_rad, solid_angle_sum
            case polarization = "polarization_sum_0.99"
        }
    }
    var images: [Image]
}

enum Reference {
    static func load<T: Decodable>(_ path: String, as: T.Type) throws -> T? {
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return nil }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}
