import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Detector images read as fabio 2026.6 reads them.
@Suite struct ImageReadingTests {
    /// The three published fabio readings: exact sums, extremes, pixel values, row and column
    /// sums, and the Pilatus header.
    @Test func publishedFabioReadings() throws {
        guard let ref = SharedData.url("images/reference/fabio_readings_published.json") else {
            print(SharedData.missing("images/reference/fabio_readings_published.json")); return
        }
        let readings = try JSONDecoder().decode(FabioReadings.self, from: Data(contentsOf: ref))
        #expect(readings.files.count == 3)
        for f in readings.files {
            let url = try #require(SharedData.url(f.file))
            let image = try DetectorImages.read(url)
            #expect([image.rows, image.columns] == f.shape, "\(f.file)")
            // The mask's TIFF says unsigned 32-bit (SampleFormat 1); fabio reads it through PIL's signed
            // "I" mode (its own TIFF reader refuses Adobe Deflate), hence int32 there. Values are 0/1.
            #expect(image.pixelType.rawValue == (f.file.hasSuffix(".mask") ? "uint32" : f.dtype), "\(f.file)")
            let s = image.statistics()
            #expect(s.sum == f.sum, "\(f.file)")
            #expect(s.minimum == f.min && s.maximum == f.max, "\(f.file)")
            #expect(s.negativeCount == f.n_negative, "\(f.file)")
            let frame = image.frames[0]
            #expect(frame.filter { $0 == 0 }.count == f.n_zero, "\(f.file)")
            #expect(frame.firstIndex(of: s.maximum) == f.argmax_row_col[0] * image.columns + f.argmax_row_col[1], "\(f.file)")
            for p in f.pixels {
                #expect(image.value(row: Int(p[0]), column: Int(p[1])) == p[2], "\(f.file) pixel \(p)")
            }
            for r in 0..<5 {
                #expect(frame[r * image.columns..<(r + 1) * image.columns].reduce(0, +) == f.row_sums_first5[r], "\(f.file) row \(r)")
                #expect(stride(from: r, to: frame.count, by: image.columns).reduce(0.0) { $0 + frame[$1] } == f.col_sums_first5[r], "\(f.file) column \(r)")
            }
            if f.file.hasSuffix("CeO2_Pilatus1M.tif") {
                for key in ["Pixel_size", "Beam_xy", "Detector_distance", "Exposure_time", "Tau", "Threshold_setting", "N_excluded_pixels", "Oscillation_axis"] {
                    #expect(image.header[key] == f.header[key], "header \(key)")
                }
                #expect(Set(image.header.keys) == Set(f.header.keys))
                #expect(image.pixelSize?.pixel1 == 172e-6 && image.pixelSize?.pixel2 == 172e-6)
                #expect(image.distance == 0.21143)
                #expect(image.beamCenter?.x == 498.18 && image.beamCenter?.y == 515.77)
                #expect(image.exposureTime == 3)
            }
            // A plain TIFF's header has fabio's TifImage keys (its stand-ins for absent tags included); the mask
            // went through fabio's PIL fallback (Adobe Deflate), whose keys are PIL's.
            if f.file.hasSuffix("pixium_03150.tif") {
                #expect(Set(image.header.keys) == Set(f.header_keys), "\(Set(image.header.keys).symmetricDifference(f.header_keys))")
                for key in ["nRows", "nColumns", "nBits", "compression", "compression_type", "imageDescription", "stripOffsets",
                            "rowsPerStrip", "stripByteCounts", "software", "date", "colormap", "sampleFormat", "photometricInterpretation", "info"] {
                    #expect(image.header[key] == f.header[key], "header \(key): \(image.header[key] ?? "-") vs fabio \(f.header[key] ?? "-")")
                }
            }
        }
    }

    /// The other images of ../shared/data/images: fabio 2026.6 / h5py 3.16 readings made here
    /// (sum in float64, extremes, two pixels), and the header geometry.
    @Test(arguments: [
        ("images/Pilatus1M.edf", [1043, 981], "int32", 463947050.0, -2.0, 260209.0, 17310.0),
        ("images/example.mar2300", [2300, 2300], "uint32", 953017572.0, 0.0, 999999.0, 0.0),
        ("images/run2_1_00148.cbf", [2527, 2463], "int32", 39861867.0, -2.0, 664762.0, 1.0),
        ("images/b_toney_Lab6_thtth_rightside_scan2_0009.tif", [195, 1475], "float32", 5613216.0, 0.0, 83786.0, 10.0),
        ("images/AgBehenate_228.hdf5", [195, 487], "int32", 123204419.0, 0.0, 1032661.0, 265.0),
        ("xrd/images/AgBehenate_003.tif", [1024, 1024], "uint16", 66978764.0, 0.0, 5046.0, 0.0),
    ])
    func otherImages(_ path: String, _ shape: [Int], _ dtype: String, _ sum: Double, _ lo: Double, _ hi: Double, _ at100x200: Double) throws {
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        let image = try DetectorImages.read(url)
        #expect([image.rows, image.columns] == shape)
        #expect(image.pixelType.rawValue == dtype)
        let s = image.statistics()
        #expect(s.sum == sum)
        #expect(s.minimum == lo && s.maximum == hi)
        #expect(image.value(row: 100, column: 200) == at100x200)
    }

    /// NeXus values: a unit-less beamline copy of the wavelength beside the NXmonochromator's (with units) gives way
    /// to the one that states its units; lengths convert from their units; a unit-less distance is not guessed.
    @Test func nexusGeometryPrefersStatedUnits() throws {
        var image = DetectorImage(rows: 2, columns: 2, frames: [], pixelType: .int32, format: "hdf5", header: [:])
        HDF5ImageStack.applyGeometry(["/entry/instrument/metadata/wavelength": "0.9", "/entry/instrument/monochromator/wavelength": "1.5 A",
                                      "/entry/instrument/detector/x_pixel_size": "75 um", "/entry/instrument/detector/y_pixel_size": "75 um",
                                      "/entry/instrument/detector/distance": "513.8"], to: &image)
        #expect(image.wavelength == 1.5e-10)
        #expect(image.pixelSize?.pixel1 == 75e-6 && image.pixelSize?.pixel2 == 75e-6)
        #expect(image.distance == nil)
    }

    @Test func headerGeometry() throws {
        if let url = SharedData.url("images/run2_1_00148.cbf") {
            let cbf = try DetectorImages.read(url)
            #expect(cbf.wavelength == 1.0332e-10)
            #expect(cbf.distance == 0.3)
            #expect(cbf.beamCenter?.x == 1230.10 && cbf.beamCenter?.y == 1310.50)
            #expect(cbf.header["X-Binary-Size"] == "6225215")
            // Values as fabio reads them: the MIME value as written, the header text with its CRLF line ends.
            #expect(cbf.header["Content-Type"] == "application/octet-stream;")
            let contents = try #require(cbf.header["_array_data.header_contents"])
            #expect(contents.hasPrefix("# Detector: PILATUS 6M, 60-0001, X06SA@SLS\r\n# 2007/Oct/22 15:32:16.289\r\n") && contents.hasSuffix("# N_oscillations 1"))
        }
        if let url = SharedData.url("images/example.mar2300") {
            let mar = try DetectorImages.read(url)
            #expect(mar.pixelSize?.pixel1 == 150e-6)
            #expect(abs((mar.wavelength ?? 0) - 1.08e-10) < 1e-22)
            #expect(abs((mar.distance ?? 0) - 0.24) < 1e-15)
            #expect(mar.beamCenter?.x == 1150 && mar.beamCenter?.y == 1150)
            #expect(mar.header["PIXEL_LENGTH"] == "150")
            // As fabio reads them: the value as written, up to the first unprintable byte (the DATE record is followed
            // by "\u{b4}#\u{5} \u{1}" in the file).
            #expect(mar.header["DATE"] == "Thu Dec  4 10:23:48 1997")
            #expect(mar.header["GENERATOR"] == "ROTATINGANODE  kV 10.0  mA 20.0")
            #expect(mar.header["PHI_END"] == "1.000" && mar.header["REMARK"] == "")
            // The binary header's words under fabio's names and units (fabio 2026.6: NumHigh 155, PixelLength 0.15 mm,
            // Wavelength 1.08 Å, Distance 240.0 mm, EndPhi 1.0, Mode Time, Format compressed).
            #expect(mar.header["NumHigh"] == "155" && mar.header["PixelLength"] == "0.15" && mar.header["Wavelength"] == "1.08")
            #expect(mar.header["Distance"] == "240.0" && mar.header["EndPhi"] == "1.0" && mar.header["Mode"] == "Time" && mar.header["Format"] == "compressed")
            #expect(Array(mar.header.keys.prefix(4)) == ["NumHigh", "Format", "Mode", "NumPixels"])
        }
        if let url = SharedData.url("images/Pilatus1M.edf") {
            let edf = try DetectorImages.read(url)
            #expect(edf.header["prefix"] == "AgBe_20s_SAXS_")
            #expect(edf.header["DataType"] == "SignedInteger")
        }
    }

    /// The gzip-chunked Lambda stack, one frame at a time (h5py 3.16 sums).
    @Test func lambdaStackFrameByFrame() throws {
        let path = "images/lambda_testasapo1_1009_00002_m1_part00000.nxs"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        let source = try DetectorImages.open(url, dataset: "/entry/instrument/detector/data")
        #expect(source.frameCount == 10)
        #expect(source.template.rows == 516 && source.template.columns == 1554 && source.template.pixelType == .int16)
        let sums = [6307581.0, 2266498.0, 3118426.0, 14890560.0, 2613241.0, 878052.0, 2865333.0, 4600026.0, 11525354.0, 1490120.0]
        for k in [0, 3, 9] {
            #expect(try source.frame(k).reduce(0, +) == sums[k], "frame \(k)")
        }
        let f3 = try source.frame(3)
        #expect(f3.min() == -1 && f3.max() == 4095)
        // Without --dataset: three image datasets (data, flatfield, pixel_mask); the NXdetector's `data` is taken.
        let chosen = try DetectorImages.open(url)
        #expect(chosen.frameCount == 10 && chosen.template.pixelType == .int16)
        #expect(try chosen.frame(3).reduce(0, +) == sums[3])
        #expect(throws: RoentgenError.self) { _ = try source.frame(10) }
    }

    /// Own fixtures for every type and compression: what tifffile / fabio read back.
    @Test func fixtures() throws {
        #expect(ImageFixtures.expected.count == 44)
        for (name, e) in ImageFixtures.expected.sorted(by: { $0.key < $1.key }) {
            let image = try DetectorImages.read(ImageFixtures.url(name))
            #expect([image.rows, image.columns] == e.shape, "\(name)")
            #expect(image.frames.count == e.frames, "\(name)")
            #expect(image.pixelType.rawValue == e.dtype, "\(name)")
            for (k, sum) in e.sums.enumerated() where k < image.frames.count {
                let mine = image.frames[k].reduce(0, +)
                #expect(image.pixelType.isFloat ? abs(mine - sum) <= 1e-9 * max(1, abs(sum)) : mine == sum, "\(name) frame \(k): \(mine) vs \(sum)")
            }
            for p in e.pixels {
                #expect(image.value(row: Int(p[0]), column: Int(p[1])) == p[2], "\(name) pixel \(p)")
            }
        }
        let cbf = try DetectorImages.read(ImageFixtures.url("cbf_int32_byteoffset.cbf"))
        #expect(cbf.value(row: 5, column: 5) == 2_000_000_000 && cbf.value(row: 5, column: 6) == -2_000_000_000)
        #expect(cbf.beamCenter?.x == 12.5 && cbf.wavelength == 1.0332e-10)
        let edf = try DetectorImages.read(ImageFixtures.url("edf_uint16.edf"))
        #expect(edf.pixelSize?.pixel1 == 1e-4 && edf.distance == 0.5 && edf.wavelength == 1e-10)
        let mar = try DetectorImages.read(ImageFixtures.url("mar345_120.mar2300"))
        #expect(mar.value(row: 60, column: 60) == 250000 && mar.value(row: 10, column: 100) == 70000)
        #expect(mar.beamCenter?.x == 60 && mar.beamCenter?.y == 61)
    }

    /// `roentgen read`'s path: the registry detects the image and summarises it.
    @Test func registrySummary() throws {
        let file = try FormatRegistry.read(ImageFixtures.url("tiff_int32_lzw.tif"))
        #expect(file.format == "detector-image" && file.images.count == 1)
        let text = DataFileSummary.text(file)
        #expect(text.contains("23 rows × 37 columns, int32, 1 frame"))
        #expect(text.contains("sum \(Int64(ImageFixtures.expected["tiff_int32_lzw.tif"]!.sums[0]))"))
        let json = DataFileJSON.encode(file)
        #expect(json.contains("\"images\": [{\"format\": \"tiff\", \"shape\": [23, 37], \"dtype\": \"int32\""))
    }
}
