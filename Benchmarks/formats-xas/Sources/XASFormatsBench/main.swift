import Foundation
import XrayFormats

// Usage: XASFormatsBench N FILE...
// Reads every FILE N times (format detection + parse, bytes already in memory) and prints one
// JSON object: {"<file>": {"format": id, "seconds_per_read": t}} on standard output.
let args = CommandLine.arguments.dropFirst()
guard let n = args.first.flatMap({ Int($0) }), n > 0 else {
    FileHandle.standardError.write(Data("usage: XASFormatsBench N FILE...\n".utf8))
    exit(2)
}
var results: [String] = []
for path in args.dropFirst() {
    guard let data = FileManager.default.contents(atPath: path) else { continue }
    var format = "error"
    var points = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<n {
        if let file = try? FormatRegistry.read(data, file: path) {
            format = file.format
            points = file.scans.reduce(0) { $0 + ($1.columns.values.first?.count ?? 0) }
        }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(n)
    let detectStart = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<n { _ = FormatRegistry.detect(data, file: path) }
    let detectSeconds = Double(DispatchTime.now().uptimeNanoseconds - detectStart) / 1e9 / Double(n)
    let escaped = path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    results.append("\"\(escaped)\": {\"format\": \"\(format)\", \"points\": \(points), \"seconds_per_read\": \(seconds), \"seconds_detect\": \(detectSeconds)}")
}
print("{" + results.joined(separator: ",\n") + "}")
