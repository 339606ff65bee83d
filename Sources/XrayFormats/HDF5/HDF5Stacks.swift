import Foundation
import XrayCore

/// Series of 1-D patterns or spectra stored as one 2-D dataset, one frame per row: pyFAI
/// integrating a stack of images (frames × 2θ), in-situ and operando diffraction, QEXAFS
/// (spectra × energy). Each frame becomes its own scan, named `group[k]`.
extension HDF5Reader {
    /// A 2-D dataset read as frames of 1-D scans.
    struct Stack {
        /// The scans' name before `[k]`: the NXdata group's path, or the dataset's in a plain group.
        let name: String
        /// The group holding the stack.
        let group: Int
        let signal: (name: String, node: Int)
        let axis: (name: String, node: Int)
        /// The dimension (0 or 1) the abscissa runs along; frames run along the other.
        let axisDimension: Int
        /// Other 2-D datasets of the signal's shape (errors first): further columns of each frame.
        var companions: [(name: String, node: Int)] = []
        /// 1-D datasets with one value per frame (frame axis, time, temperature): each frame's metadata.
        var perFrame: [(name: String, node: Int)] = []
    }

    /// At most this many frames of one stack become scans.
    static let maximumFrames = 100_000

    /// The stacks of a file: each NXdata group whose signal is 2-D with an energy, 2θ or Q axis
    /// along one dimension (the NeXus `axes` list, `AXIS_indices`, the signal's old `axes`
    /// attribute, or `axis` attributes), and in other groups each 2-D dataset whose second
    /// dimension is the length of an energy, 2θ or Q dataset beside it.
    static func stacks(in tree: [Node]) -> [Stack] {
        var found: [Stack] = []
        for (g, group) in tree.enumerated() where group.dataset == nil {
            func member(_ name: String) -> Int? { group.members.first { $0.name == name }?.node }
            func dims(_ i: Int) -> [Int]? {
                guard let d = tree[i].dataset, d.type.isNumeric else { return nil }
                return d.space.dims
            }
            let groupName = String(group.path.dropFirst())
            if group.nxClass == "NXdata" {
                guard let signal = signalName(group, tree), let s = member(signal), let shape = dims(s), shape.count == 2 else { continue }
                var axes = positionalAxes(group, tree, signal: signal, rank: 2)
                // A single axis name for a 2-D signal (against the NeXus rule of one per
                // dimension): the dimension whose length its dataset has, the last if both.
                if axes == [nil, nil], let names = group.attribute("axes")?.strings, names.count == 1,
                   let a = member(names[0]), let d = dims(a), d.count == 1 {
                    if d[0] == shape[1] { axes[1] = names[0] } else if d[0] == shape[0] { axes[0] = names[0] }
                }
                // The dimension with an energy/2θ/Q axis of its length (the last if both have one).
                let candidates = (0..<2).reversed().compactMap { dim -> (name: String, node: Int, dim: Int)? in
                    guard let name = axes[dim], isAbscissa(name), let a = member(name), dims(a) == [shape[dim]], shape[dim] > 1 else { return nil }
                    return (name, a, dim)
                }
                // Otherwise the one dimension the file names an axis for, whatever its name
                // (Dioptas batch output: `axes = [".", "binning"]`, 20 patterns × 1512 points).
                let named = (0..<2).compactMap { dim -> (name: String, node: Int, dim: Int)? in
                    guard let name = axes[dim], let a = member(name), dims(a) == [shape[dim]], shape[dim] > 1 else { return nil }
                    return (name, a, dim)
                }
                let listed = group.attribute("axes")?.strings ?? []
                let framesUnnamed = named.count == 1 && listed.count == 2 && listed[1 - named[0].dim] == "."
                guard let axis = candidates.first ?? (framesUnnamed && shape[1 - named[0].dim] > 1 ? named[0] : nil) else { continue }
                var stack = Stack(name: groupName, group: g, signal: (signal, s), axis: (axis.name, axis.node), axisDimension: axis.dim)
                for m in group.members {
                    guard let i = m.node, i != s, i != axis.node, let d = dims(i) else { continue }
                    if d == shape { stack.companions.append((m.name, i)) }
                    else if d == [shape[1 - axis.dim]] { stack.perFrame.append((m.name, i)) }
                }
                stack.companions.sort { isErrors($0.name, of: signal) && !isErrors($1.name, of: signal) }
                found.append(stack)
            } else {
                let abscissas = group.members.compactMap { m -> (name: String, node: Int, count: Int)? in
                    guard let i = m.node, isAbscissa(m.name), let d = dims(i), d.count == 1 else { return nil }
                    return (m.name, i, d[0])
                }
                guard !abscissas.isEmpty else { continue }
                let twoD = group.members.compactMap { m -> (name: String, node: Int, shape: [Int])? in
                    guard let i = m.node, let d = dims(i), d.count == 2 else { return nil }
                    return (m.name, i, d)
                }
                for (name, node, shape) in twoD where !twoD.contains(where: { isErrors(name, of: $0.name) && $0.shape == shape }) {
                    // Rows are frames only when the row length is the axis's and not also the
                    // number of rows (a Bliss MCA, points × channels, beside an energy counter).
                    guard shape[1] > 1, shape[0] != shape[1], let axis = abscissas.first(where: { $0.count == shape[1] }) else { continue }
                    var stack = Stack(name: groupName + "/" + name, group: g, signal: (name, node), axis: (axis.name, axis.node), axisDimension: 1)
                    stack.companions = twoD.filter { isErrors($0.name, of: name) && $0.shape == shape }.map { ($0.name, $0.node) }
                    for m in group.members {
                        guard let i = m.node, i != axis.node, dims(i) == [shape[0]] else { continue }
                        stack.perFrame.append((m.name, i))
                    }
                    found.append(stack)
                }
            }
        }
        return found
    }

    /// Whether a dataset name is the uncertainty of `signal` (`intensity_errors`, or `errors`).
    static func isErrors(_ name: String, of signal: String) -> Bool {
        name == signal + "_errors" || name == "errors"
    }

    /// The axis name of each dimension of an NXdata signal of rank `rank` (nil: none): the group's
    /// `axes` list (`.` for none), its `NAME_indices` attributes, the signal's old-style `axes`
    /// attribute (`a:b`), or members whose `axis` attribute gives a dimension (from 1).
    static func positionalAxes(_ group: Node, _ tree: [Node], signal: String, rank: Int) -> [String?] {
        var axes = [String?](repeating: nil, count: rank)
        func fill(_ names: [String]) {
            guard names.count == rank else { return }
            for (k, n) in names.enumerated() where n != "." && !n.isEmpty && axes[k] == nil { axes[k] = n }
        }
        if let list = group.attribute("axes") {
            fill(list.strings.count == 1 ? list.strings[0].split(whereSeparator: { $0 == ":" || $0 == "," || $0 == " " }).map(String.init) : list.strings)
        }
        for (name, value) in group.attributes where name.hasSuffix("_indices") {
            guard case .numbers(let v) = value, v.count == 1, let k = Int(exactly: v[0]), (0..<rank).contains(k), axes[k] == nil else { continue }
            axes[k] = String(name.dropLast("_indices".count))
        }
        if let s = group.members.first(where: { $0.name == signal })?.node, let list = tree[s].attribute("axes") {
            fill(list.strings.flatMap { $0.split(whereSeparator: { $0 == ":" || $0 == "," }).map(String.init) })
        }
        for m in group.members {
            guard let i = m.node, case .numbers(let v)? = tree[i].attribute("axis"), v.count == 1,
                  let k = Int(exactly: v[0]), (1...rank).contains(k), axes[k - 1] == nil else { continue }
            axes[k - 1] = m.name
        }
        return axes
    }

    /// Frame `k` of a `rows × columns` row-major array: row k if the abscissa runs along
    /// dimension 1, column k if along dimension 0.
    static func frame(_ values: [Double], _ k: Int, shape: [Int], axisDimension: Int) -> [Double] {
        let columns = shape[1]
        if axisDimension == 1 { return Array(values[k * columns ..< (k + 1) * columns]) }
        return (0..<shape[0]).map { values[$0 * columns + k] }
    }
}
