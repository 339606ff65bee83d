import ArgumentParser
import Foundation
import XrayCore
import XrayFormats

/// `roentgen xas paths FILE|DIR`: a summary of each FEFF path file (geometry, degeneracy, reff, table range).
struct XASPaths: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paths",
        abstract: "Summarise FEFF path files (feffNNNN.dat from FEFF6L, FEFF8L, FEFF9).",
        discussion: "Given a folder, every file in it that is a FEFF path file is read, in name order."
    )
    @Argument(help: "A feffNNNN.dat file or a folder of them.") var paths: [String]
    @Flag(help: "Print JSON: per file nleg, degen, reff, rnorman, edge, shell, absorber, atoms (symbol, z, ipot, mass, x, y, z), legs (length, angle), k range, rows, reduced mass.") var json = false

    struct Summary: Encodable {
        struct Atom: Encodable { var symbol: String; var z: Int; var ipot: Int; var mass: Double; var x: Double; var y: Double; var zPosition: Double
            enum CodingKeys: String, CodingKey { case symbol, z, ipot, mass, x, y, zPosition = "z_position" } }
        struct Leg: Encodable { var to: String; var length: Double; var angle: Double }
        var file: String; var title: String; var version: String; var shell: String; var absorber: String
        var nleg: Int; var degen: Double; var reff: Double; var rnorman: Double; var edge: Double; var rmass: Double
        var atoms: [Atom]; var legs: [Leg]; var kmin: Double; var kmax: Double; var rows: Int
    }

    func run() async throws {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RoentgenError(.io, "no such file or folder", file: path)
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                let found = names.map { (path as NSString).appendingPathComponent($0) }.filter { candidate in
                    guard let handle = FileHandle(forReadingAtPath: candidate) else { return false }
                    defer { try? handle.close() }
                    let head = (try? handle.read(upToCount: 8192)) ?? Data()
                    return FeffPathReader.looksLikeFeffPath(Substring(String(decoding: head, as: UTF8.self)))
                }
                guard !found.isEmpty else { throw RoentgenError(.notFound, "no FEFF path files (feffNNNN.dat) in this folder", file: path) }
                files += found
            } else {
                files.append(path)
            }
        }
        let read = try files.map { ($0, try FeffPathReader.read(URL(fileURLWithPath: $0))) }
        let summaries = read.map { file, p in
            Summary(file: file, title: p.title, version: p.version, shell: p.shell, absorber: p.absorber, nleg: p.nleg,
                    degen: p.degeneracy, reff: p.reff, rnorman: p.rnorman, edge: p.edge, rmass: p.reducedMass,
                    atoms: p.atoms.map { .init(symbol: $0.symbol, z: $0.z, ipot: $0.ipot, mass: $0.mass, x: $0.x, y: $0.y, zPosition: $0.zPosition) },
                    legs: p.legs.map { .init(to: p.atoms[$0.atom].symbol, length: $0.length, angle: $0.angle) },
                    kmin: p.k.first ?? 0, kmax: p.k.last ?? 0, rows: p.k.count)
        }
        if json { try Output.printJSON(summaries); return }
        for s in summaries {
            print("\(s.file): \(s.atoms.map(\.symbol).joined(separator: "-")) (\(s.absorber) \(s.shell) edge), nleg \(s.nleg), degen \(String(format: "%g", s.degen)), reff \(String(format: "%.4f", s.reff)) Å, reduced mass \(String(format: "%.3f", s.rmass)) amu")
            print("    " + s.legs.map { String(format: "→%@ %.4f Å (%.1f°)", $0.to, $0.length, $0.angle) }.joined(separator: "  "))
            print(String(format: "    k %.2f…%.2f Å⁻¹ (%d rows), %@", s.kmin, s.kmax, s.rows, s.version.isEmpty ? s.title : "\(s.title) [\(s.version)]"))
        }
    }
}
