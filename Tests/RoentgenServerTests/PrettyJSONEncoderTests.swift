import Foundation
import RoentgenOperations
import Testing
import TestSupport
import XAS

/// `PrettyJSONEncoder` writes the bytes Foundation's `JSONEncoder` writes (pretty, sorted keys, no
/// escaped slashes) on real documents: an XAS analysis (numbers of every size, exponents, integral
/// doubles, optionals, nested objects), an LCF (arrays of objects, empty arrays), a feffit result,
/// and awkward strings and keys.
@Suite struct PrettyJSONEncoderTests {
    static func foundation<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    @Test func sameBytesAsFoundationOnRealDocuments() throws {
        guard let fe = SharedData.url("xas/xaslib/Fe_metal_rt_01.xdi"), let feo = SharedData.url("xas/xaslib/FeO_rt_01.xdi"),
              let fe2o3 = SharedData.url("xas/xaslib/Fe2O3_rt_01.xdi"), let mix = SharedData.url("xas/lcf/fe_mixture_synthetic.dat") else {
            print(SharedData.missing("xas/xaslib")); return
        }
        let analysis = try XASOperations.analyze(XASOperations.AnalyzeRequest(file: fe.path)).report
        let ours = try PrettyJSONEncoder.encode(analysis), theirs = try Self.foundation(analysis)
        #expect(ours.count > 50_000 && ours == theirs, "XAS report differs at byte \(zip(ours, theirs).enumerated().first { $0.1.0 != $0.1.1 }?.offset ?? -1)")
        var lcf = XASOperations.LCFRequest(target: mix.path)
        lcf.standards = [fe.path, feo.path, fe2o3.path]; lcf.sumToOne = true; lcf.range = "-40:100"; lcf.combinations = 2
        let document = try XASOperations.lcf(lcf)
        #expect(try PrettyJSONEncoder.encode(document) == Self.foundation(document))
        var mergeRequest = XASOperations.MergeRequest(); mergeRequest.files = [fe.path, fe.path]
        let merged = try XASOperations.merge(mergeRequest)
        #expect(try PrettyJSONEncoder.encode(merged) == Self.foundation(merged))
        if SharedData.url("xas/feffit/cu_1shell/feffcu01.dat") != nil {
            let feffit = SharedData.projectRoot.appendingPathComponent("examples/feffit/cu_1shell.yaml")
            let report = try FeffitOperations.fit(FeffitOperations.FitRequest(file: feffit.path)).json
            #expect(try PrettyJSONEncoder.encode(report) == Self.foundation(report))
        }
    }

    struct Odd: Encodable {
        var text = "a/b \"quoted\" \\ tab\t new\nline \u{01} é θ"
        var keys: [String: Int] = ["b": 1, "B": 2, "a_1": 3, "a10": 4, "a2": 5, "_x": 6, "Z": 7, "é": 8]
        var empty: [Double] = []
        var emptyObject: [String: Double] = [:]
        var nested: [[Double?]] = [[1, nil, -0.0, 1e-300, 1.5e300, 1.2345678901234568e20, 0.1]]
        var flag = true
        var small: Int8 = -3
        var big: UInt64 = .max
        var float: Float = 0.1
        var url = URL(string: "https://example.org/a?b=c")!
        var missing: Double? = nil
    }

    @Test func sameBytesOnStringsKeysAndNumbers() throws {
        let ours = try PrettyJSONEncoder.encode(Odd()), theirs = try Self.foundation(Odd())
        #expect(ours == theirs, "\n\(String(decoding: ours, as: UTF8.self))\nvs\n\(String(decoding: theirs, as: UTF8.self))")
        #expect(throws: EncodingError.self) { try PrettyJSONEncoder.encode([1.0, .nan]) }
    }
}
