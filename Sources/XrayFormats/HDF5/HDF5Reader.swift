import Foundation
import OrderedCollections
import XrayCore

/// HDF5 and NeXus files (`.h5`, `.nxs` …), as the ESRF, PaNOSC and pyFAI write them, read with
/// Roentgen's own HDF5 reader (`HDF5File`, no HDF5 library).
///
/// Scans: every NeXus `NXdata` group whose signal is 1-D (axis first, then the signal, then the
/// group's other 1-D datasets of that length: `*_errors`, extra counters), and every other group
/// holding two or more 1-D numeric datasets of one length (an ESRF Bliss `measurement` group:
/// all counters of a scan). Soft links are followed, and so are external links to files that
/// exist (an ESRF sample or proposal master file links each dataset file's scans): the linked
/// file's scans under the link's path, e.g. `sample_0001/1.1/measurement`.
/// A 1-D compound dataset (a table, as h5py writes a structured array) is a scan of its numeric
/// fields. A 2-D dataset holding a series of 1-D patterns or spectra (frames × 2θ, spectra ×
/// energy) is a scan per frame, `group[k]` (`HDF5Stacks.swift`). Virtual datasets read through
/// their mappings (`HDF5VirtualDatasets.swift`), compressed chunks through their filters
/// (`HDF5Chunks.swift`, `HDF5PluginFilters.swift`). An axis named like 2θ or Q makes a diffraction scan (`two_theta`, `intensity`, `esd`; Q turned
/// into 2θ with the file's wavelength); an axis named `energy…` makes an absorption scan with
/// `energy` in eV. The scalars and strings of the scan's NeXus entry (title, wavelength, motor
/// positions …) and the group's attributes become metadata.
enum HDF5Reader: FormatReader {
    static let id = "hdf5"
    static let name = "HDF5 / NeXus (NXdata signal and axes, or the 1-D datasets of each group)"
    static let kind = Scan.Kind.other
    static let suffixes = ["h5", "hdf5", "hdf", "nxs", "nx5", "nx"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        // The superblock may follow a user block of 512, 1024 … bytes: every power of two the head holds.
        guard let at = head.withUnsafeBytes({ HDF5File.signatureOffset($0) }) else { return .no }
        // An HDF5 file as the first member of a tar archive has its signature at 512, where a
        // user block would put it: the tar header's `ustar` magic says which it is.
        if at > 0, head.count >= 262, head[head.startIndex + 257..<head.startIndex + 262].elementsEqual("ustar".utf8) { return .no }
        return .certain
    }

    /// One object reached from the root: its path, header, and (for datasets) description.
    struct Node {
        let path: String
        let object: HDF5File.Object
        let dataset: HDF5Dataset?
        var attributes: [(name: String, value: HDF5Value)]
        /// Members of a group: link name and the node index it resolves to (nil: unresolved).
        var members: [(name: String, node: Int?)] = []
        func attribute(_ name: String) -> HDF5Value? { attributes.first { $0.name == name }?.value }
        var nxClass: String? { attribute("NX_class")?.text }
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        try read(data, file: file, following: [])
    }

    /// An external link: where it is, and the file and object it names.
    struct ExternalLink {
        let path: String
        let file: String
        let object: String
    }

    /// `following`: the files whose external links led here (a link back to one is not followed).
    private static func read(_ data: Data, file: String, following: Set<String>) throws -> DataFile {
        // Borrowed, not copied: a mapped multi-gigabyte file is read only where its metadata and
        // the scans' datasets are.
        var externals: [ExternalLink] = []
        var result = try data.withUnsafeBytes { try read(HDF5File($0, file: file), file: file, externals: &externals) }
        for link in externals {
            let (scans, notes) = follow(link, from: file, following: following.union([standardised(file)]))
            result.scans += scans
            result.warnings += notes
        }
        if result.scans.isEmpty, let stacks = try? HDF5ImageStack.all(data: data, file: file), !stacks.isEmpty {
            // Detector frames and no 1-D scans: each image dataset summarised (at most its first 16 frames held).
            for stack in stacks {
                var image = try stack.image(frames: 0..<min(stack.frameCount, 16))
                image.header["dataset"] = stack.path
                image.header["frames"] = String(stack.frameCount)
                result.images.append(image)
                if stack.frameCount > 16 { result.warnings.append("\(stack.path): statistics of the first 16 of \(stack.frameCount) frames") }
            }
            return result
        }
        guard !result.scans.isEmpty else {
            throw RoentgenError.badFile(file, "HDF5 file holds no 1-D scan: no NXdata group with a 1-D signal and no group of two or more 1-D datasets of one length\(result.warnings.isEmpty ? "" : " (" + result.warnings.prefix(3).joined(separator: "; ") + ")")")
        }
        return result
    }

    private static func standardised(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The scans of the object an external link names, renamed under the link's path; or a
    /// warning saying why the link was not followed.
    static func follow(_ link: ExternalLink, from file: String, following: Set<String>) -> (scans: [Scan], warnings: [String]) {
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        let target = link.file.hasPrefix("/") ? URL(fileURLWithPath: link.file) : base.appendingPathComponent(link.file)
        let said = "\(link.path): external link to \(link.file):\(link.object)"
        guard FormatRegistry.isRegularFile(target.path) else { return ([], ["\(said) not followed: no such file beside this one"]) }
        guard ReadConfinement.allows(target.path) else { return ([], ["\(said) not followed: it leads out of the served workspace"]) }
        guard !following.contains(standardised(target.path)), following.count < 8 else {
            return ([], ["\(said) not followed: it leads back to a file already being read"])
        }
        do {
            let data = try Data(contentsOf: target, options: FormatRegistry.fileSize(target.path) > FormatRegistry.mappingThreshold ? .alwaysMapped : [])
            guard data.withUnsafeBytes({ HDF5File.signatureOffset($0) }) != nil else { return ([], ["\(said) not followed: not an HDF5 file"]) }
            let linked = try read(data, file: target.path, following: following)
            let object = normalised(link.object)
            let prefix = String(normalised(link.path).dropFirst())
            var scans: [Scan] = []
            for var scan in linked.scans {
                let name = "/" + scan.name
                guard object == "/" || name == object || name.hasPrefix(object + "/") else { continue }
                let rest = object == "/" ? name : String(name.dropFirst(object.count))
                scan.name = prefix + rest
                scan.metadata["external file"] = link.file
                scans.append(scan)
            }
            return (scans, linked.warnings.map { "\(link.file): \($0)" })
        } catch let error as RoentgenError {
            return ([], ["\(said) not followed: \(error.message)\(error.byteOffset.map { " (byte \($0))" } ?? "")"])
        } catch {
            return ([], ["\(said) not followed: \(error)"])
        }
    }

    private static func read(_ h5: HDF5File, file: String, externals: inout [ExternalLink]) throws -> DataFile {
        var warnings: [String] = []
        let tree = try walk(h5, warnings: &warnings, externals: &externals)
        var scans: [Scan] = []
        var numbers: [Int: [Double]] = [:]
        // Each entry's nodes, and (once a scan needs it) its metadata: a file of 500 scans must
        // not walk its whole tree per scan.
        var entryMembers: [String: [Int]] = [:]
        for i in tree.indices { entryMembers[entry(of: tree[i].path), default: []].append(i) }
        entryMembers["/"] = Array(tree.indices)
        var entryCache: [String: Metadata] = [:]
        func values(_ i: Int) throws -> [Double] {
            if let v = numbers[i] { return v }
            guard let d = tree[i].dataset else { return [] }
            let v = try h5.numbers(d)
            numbers[i] = v
            return v
        }
        let stacks = stacks(in: tree)
        let stackedGroups = Set(stacks.filter { tree[$0.group].nxClass == "NXdata" }.map(\.group))
        for (g, group) in tree.enumerated() where group.dataset == nil && !stackedGroups.contains(g) {
            // 1-D numeric members, in link order.
            let oneD = group.members.compactMap { m -> (name: String, node: Int, count: Int)? in
                // 1-D, or N-D with every dimension but one of length 1 (NetCDF-4 writes one pattern as 1×1×N).
                guard let i = m.node, let d = tree[i].dataset, d.type.isNumeric, d.space.dims.filter({ $0 != 1 }).count == 1, d.space.count > 1 else { return nil }
                return (m.name, i, d.space.count)
            }
            var order: [(name: String, node: Int)] = []
            var numbered = 0   // points of a signal without an axis, numbered 0, 1, 2 …
            if group.nxClass == "NXdata", let signal = signalName(group, tree), let s = oneD.first(where: { $0.name == signal }) {
                let axes = axisNames(group, tree, signal: signal)
                if let a = axes.compactMap({ name in oneD.first { $0.name == name && $0.count == s.count } }).first {
                    order.append((a.name, a.node))
                } else {
                    numbered = s.count
                    warnings.append("\(group.path): NXdata signal '\(signal)' has no 1-D axis of its length: points numbered in column 'index'")
                }
                order.append((s.name, s.node))
                for m in oneD where m.count == s.count && !order.contains(where: { $0.name == m.name }) { order.append((m.name, m.node)) }
            } else {
                // The length most datasets share (the first such in link order on a tie).
                var counts: [Int: Int] = [:]
                for m in oneD { counts[m.count, default: 0] += 1 }
                guard let length = oneD.map(\.count).max(by: { counts[$0, default: 0] < counts[$1, default: 0] }), counts[length, default: 0] >= 2 else { continue }
                order = oneD.filter { $0.count == length }.map { ($0.name, $0.node) }
                // An abscissa (energy, 2θ, Q) goes first, as a plot or `roentgen xas` wants it.
                if let a = order.firstIndex(where: { isAbscissa($0.name) }), a > 0 { order.insert(order.remove(at: a), at: 0) }
                if group.nxClass == "NXdata" { warnings.append("\(group.path): NXdata without a 1-D signal it names; its 1-D datasets read in link order") }
            }
            // A dataset this reader cannot decode (a plug-in filter, a virtual dataset) is left out
            // of its scan with a warning; a damaged one still fails the file.
            order = try order.filter { member in
                do {
                    _ = try values(member.node)
                    return true
                } catch let error as RoentgenError where error.kind == .unsupportedFormat {
                    warnings.append("\(tree[member.node].path): not read: \(error.message)")
                    return false
                }
            }
            guard order.count >= 2 || (numbered > 0 && !order.isEmpty) else { continue }
            var columns = try order.map { (name: $0.name, values: try values($0.node), units: tree[$0.node].attribute("units")?.text ?? "") }
            if numbered > 0 { columns.insert((name: "index", values: (0..<numbered).map(Double.init), units: ""), at: 0) }
            let top = entry(of: group.path)
            let shared = entryCache[top] ?? entryMetadata(top, members: entryMembers[top] ?? [], tree, h5: h5)
            entryCache[top] = shared
            var metadata = Metadata()
            for a in group.attributes { metadata["@" + a.name] = a.value.text }
            for (key, value) in shared { metadata[key] = value }
            let name = group.path == "/" ? DiffractionScan.stem(file) : String(group.path.dropFirst())
            let (scan, notes) = try makeScan(name: name, columns: columns, metadata: metadata, file: file)
            scans.append(scan)
            warnings += notes.map { "\(group.path): \($0)" }
        }
        // Series of 1-D scans in 2-D datasets: a scan per frame.
        var stacked = Set<Int>()
        for stack in stacks {
            let signal = tree[stack.signal.node]
            guard let shape = signal.dataset?.space.dims else { continue }
            let columns: [(name: String, values: [Double], units: String)]
            do {
                columns = try ([stack.axis, stack.signal] + stack.companions).map { (name: $0.name, values: try values($0.node), units: tree[$0.node].attribute("units")?.text ?? "") }
            } catch let error as RoentgenError where error.kind == .unsupportedFormat {
                warnings.append("\(signal.path): not read: \(error.message)")
                continue
            }
            // (A damaged file could describe more values than it holds.)
            guard columns[0].values.count == shape[stack.axisDimension], columns.dropFirst().allSatisfy({ $0.values.count == shape[0] * shape[1] }) else {
                warnings.append("\(signal.path): fewer values than its \(shape[0])×\(shape[1]) shape; not read")
                continue
            }
            stacked.formUnion([stack.signal.node] + stack.companions.map(\.node))
            let perFrame = try stack.perFrame.map { (name: $0.name, values: try values($0.node), units: tree[$0.node].attribute("units")?.text) }
            let top = entry(of: tree[stack.group].path)
            let shared = entryCache[top] ?? entryMetadata(top, members: entryMembers[top] ?? [], tree, h5: h5)
            entryCache[top] = shared
            var metadata = Metadata()
            for a in tree[stack.group].attributes { metadata["@" + a.name] = a.value.text }
            for (key, value) in shared { metadata[key] = value }
            let frames = shape[1 - stack.axisDimension]
            if frames > maximumFrames { warnings.append("\(signal.path): \(frames) frames; the first \(maximumFrames) read") }
            for k in 0..<min(frames, maximumFrames) {
                var m = metadata
                m["frame"] = String(k)
                m["frames"] = String(frames)
                for p in perFrame where k < p.values.count { m["frame/" + p.name] = HDF5Value.numbers([p.values[k]]).text + (p.units.map { " " + $0 } ?? "") }
                let frameColumns = columns.enumerated().map { c, column in
                    c == 0 ? column : (name: column.name, values: frame(column.values, k, shape: shape, axisDimension: stack.axisDimension), units: column.units)
                }
                let (scan, notes) = try makeScan(name: "\(stack.name)[\(k)]", columns: frameColumns, metadata: m, file: file)
                scans.append(scan)
                if k == 0 { warnings += notes.map { "\(signal.path): \($0)" } }
            }
        }
        // A table (a 1-D compound dataset, as h5py writes a structured array): its numeric
        // fields are the columns.
        for (i, node) in tree.enumerated() {
            guard let d = node.dataset, case .compound = d.type, d.space.dims.count == 1, d.space.count > 1 else { continue }
            let columns: [(name: String, values: [Double])]
            do {
                columns = try h5.fields(d)
            } catch let error as RoentgenError where error.kind == .unsupportedFormat {
                warnings.append("\(node.path): not read: \(error.message)")
                continue
            }
            guard columns.count >= 2 else { continue }
            let top = entry(of: node.path)
            let shared = entryCache[top] ?? entryMetadata(top, members: entryMembers[top] ?? [], tree, h5: h5)
            entryCache[top] = shared
            var metadata = Metadata()
            for a in tree[i].attributes { metadata["@" + a.name] = a.value.text }
            for (key, value) in shared { metadata[key] = value }
            var order = columns.map { (name: $0.name, values: $0.values, units: "") }
            if let a = order.firstIndex(where: { isAbscissa($0.name) }), a > 0 { order.insert(order.remove(at: a), at: 0) }
            let (scan, notes) = try makeScan(name: String(node.path.dropFirst()), columns: order, metadata: metadata, file: file)
            scans.append(scan)
            warnings += notes.map { "\(node.path): \($0)" }
        }
        for (i, node) in tree.enumerated() {
            guard let d = node.dataset, d.space.dims.filter({ $0 != 1 }).count >= 2, d.type.isNumeric, !stacked.contains(i) else { continue }
            warnings.append("\(node.path): \(d.space.dims.map(String.init).joined(separator: "×")) array (an image or image stack) not read as a scan; integrate it to 1-D first")
        }
        let hasImages = tree.contains { n in n.dataset.map { $0.space.dims.count >= 2 && $0.type.isNumeric } ?? false }
        if scans.isEmpty, hasImages {
            // Detector frames only: the caller summarises them as images (HDF5ImageStack).
            return DataFile(format: id, file: file, scans: [], warnings: warnings.filter { !$0.hasSuffix("integrate it to 1-D first") })
        }
        if scans.isEmpty, externals.isEmpty {
            if let unread = warnings.first(where: { $0.contains(": not read: ") }) {
                throw RoentgenError(.unsupportedFormat, "HDF5 file holds no 1-D scan this reader can decode: \(unread)", file: file)
            }
            let datasets = tree.filter { $0.dataset != nil }.prefix(8).map(\.path).joined(separator: ", ")
            throw RoentgenError.badFile(file, "HDF5 file holds no 1-D scan: no NXdata group with a 1-D signal and no group of two or more 1-D datasets of one length (datasets: \(datasets.isEmpty ? "none" : datasets))")
        }
        return DataFile(format: id, file: file, scans: scans, warnings: warnings)
    }

    // MARK: Walking the file

    /// The walk, with external links listed in the warnings as not followed.
    static func walk(_ h5: HDF5File, warnings: inout [String]) throws -> [Node] {
        var externals: [ExternalLink] = []
        let tree = try walk(h5, warnings: &warnings, externals: &externals)
        warnings += externals.map { "\($0.path): external link to \($0.file):\($0.object) not followed" }
        return tree
    }

    /// Every object reachable from the root by hard links (each once, at its first path), with
    /// group members resolved through hard and soft links, and the external links met. At most
    /// 100,000 objects.
    static func walk(_ h5: HDF5File, warnings: inout [String], externals: inout [ExternalLink]) throws -> [Node] {
        var nodes: [Node] = []
        var index: [Int: Int] = [:]         // object header address → node
        var byPath: [String: Int] = [:]     // every hard-link path → node
        var pending: [(group: Int, member: Int, path: String)] = []   // soft links to resolve
        func visit(_ address: Int, path: String) throws -> Int {
            if let i = index[address] { return i }
            guard nodes.count < 100_000 else { throw h5.b.fail(address, "more than 100,000 objects; refusing") }
            let o = try h5.object(at: address)
            let i = nodes.count
            index[address] = i
            // What this reader cannot decode (a virtual dataset, a committed datatype) is left
            // out with a warning; damage still fails the file.
            var dataset: HDF5Dataset?
            do {
                dataset = try h5.dataset(o)
            } catch let error as RoentgenError where error.kind == .unsupportedFormat {
                warnings.append("\(path): not read: \(error.message)")
            }
            var attributes: [(name: String, value: HDF5Value)] = []
            do {
                attributes = try h5.attributes(of: o)
            } catch let error as RoentgenError where error.kind == .unsupportedFormat {
                warnings.append("\(path): attributes not read: \(error.message)")
            }
            nodes.append(Node(path: path, object: o, dataset: dataset, attributes: attributes))
            if h5.isGroup(o) {
                for link in try h5.links(of: o) {
                    let childPath = (path == "/" ? "" : path) + "/" + link.name
                    switch link.target {
                    case .hard(let a):
                        let child = try visit(a, path: childPath)
                        byPath[childPath] = child
                        nodes[i].members.append((link.name, child))
                    case .soft(let target):
                        pending.append((i, nodes[i].members.count, target.hasPrefix("/") ? target : (path == "/" ? "" : path) + "/" + target))
                        nodes[i].members.append((link.name, nil))
                    case .external(let f, let p):
                        nodes[i].members.append((link.name, nil))
                        externals.append(ExternalLink(path: childPath, file: f, object: p))
                    }
                }
            }
            return i
        }
        byPath["/"] = try visit(h5.rootAddress, path: "/")
        for p in pending {
            if let target = byPath[normalised(p.path)] {
                nodes[p.group].members[p.member].node = target
            } else {
                let name = nodes[p.group].members[p.member].name
                warnings.append("\(nodes[p.group].path == "/" ? "" : nodes[p.group].path)/\(name): soft link to \(p.path), which does not exist")
            }
        }
        return nodes
    }

    /// A path with `.` and `..` resolved and doubled slashes removed.
    static func normalised(_ path: String) -> String {
        // Already normal (the common case, checked on the bytes): absolute, no "//", "/.", trailing "/".
        var previous: UInt8 = 0
        var clean = path.utf8.first == 47 && path.utf8.count > 1 && path.utf8.last != 47
        for c in path.utf8 where clean {
            if previous == 47, c == 47 || c == 46 { clean = false }
            previous = c
        }
        if clean { return path }
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    // MARK: NeXus

    /// The signal of an NXdata group: its `signal` attribute, or (NeXus before 2014) the member
    /// whose `signal` attribute is 1.
    static func signalName(_ group: Node, _ tree: [Node]) -> String? {
        if let s = group.attribute("signal")?.strings.first, !s.isEmpty { return s }
        return group.members.first { m in
            guard let i = m.node, case .numbers(let v)? = tree[i].attribute("signal") else { return false }
            return v.first == 1
        }?.name
    }

    /// The axis names of an NXdata group: its `axes` attribute (`.` placeholders skipped), the
    /// signal's old-style `axes` attribute (`a:b`), or members with an `axis` attribute of 1.
    static func axisNames(_ group: Node, _ tree: [Node], signal: String) -> [String] {
        if let axes = group.attribute("axes") {
            return axes.strings.flatMap { $0.split(whereSeparator: { $0 == ":" || $0 == "," || $0 == " " }).map(String.init) }.filter { $0 != "." }
        }
        if let s = group.members.first(where: { $0.name == signal })?.node, let axes = tree[s].attribute("axes") {
            return axes.strings.flatMap { $0.split(whereSeparator: { $0 == ":" || $0 == "," }).map(String.init) }
        }
        return group.members.filter { m in
            guard let i = m.node, case .numbers(let v)? = tree[i].attribute("axis") else { return false }
            return v.first == 1
        }.map(\.name)
    }

    /// The top-level group a path lies in (`/1.1` for `/1.1/measurement/I0`), `/` for the root.
    static func entry(of path: String) -> String {
        path.split(separator: "/", maxSplits: 1).first.map { "/" + $0 } ?? "/"
    }

    /// The scalars and strings (with units) of one NeXus entry (a top-level group, or the root),
    /// by path below it; at most 500. `members` are the entry's nodes.
    static func entryMetadata(_ entry: String, members: [Int], _ tree: [Node], h5: HDF5File) -> Metadata {
        var m = Metadata()
        let prefix = entry == "/" ? "/" : entry + "/"
        for i in members where m.count < 500 {
            guard let d = tree[i].dataset, d.space.count <= 1 || !d.type.isNumeric, d.space.count <= 16 else { continue }
            guard let raw = try? h5.rawData(d), let value = try? h5.value(raw, type: d.type, count: d.space.count, at: d.address) else { continue }
            if case .unsupported = value { continue }
            let unit = tree[i].attribute("units")?.text
            m[String(tree[i].path.dropFirst(prefix.count))] = value.text + (unit.map { " " + $0 } ?? "")
        }
        return m
    }

    // MARK: Scans

    /// Whether a column name says it is an energy, 2θ or Q axis.
    static func isAbscissa(_ name: String) -> Bool {
        let l = name.lowercased()
        return l.hasPrefix("energy") || l.hasSuffix("energy") || ["2th", "tth", "two_theta", "2theta", "twotheta"].contains { l.hasPrefix($0) }
            || l == "q" || l.hasPrefix("q_")
    }

    /// The node a path names, following hard and soft links from the root (node 0).
    static func resolve(_ path: String, in tree: [Node]) -> Int? {
        var node = 0
        for part in normalised(path).split(separator: "/") {
            guard let next = tree[node].members.first(where: { $0.name == part })?.node else { return nil }
            node = next
        }
        return node
    }

    /// The scan for named columns (the first is the abscissa): diffraction for a 2θ or Q axis,
    /// absorption for an energy axis, otherwise the columns as they are.
    static func makeScan(name: String, columns: [(name: String, values: [Double], units: String)], metadata: Metadata, file: String) throws -> (Scan, [String]) {
        let x = columns[0]
        let lower = x.name.lowercased()
        let unit = x.units.lowercased()
        let isAngle = ["2th", "tth", "two_theta", "2theta", "twotheta", "2-theta"].contains { lower.hasPrefix($0) }
        if isAngle || lower.hasPrefix("q") {
            var parsed = PatternColumns()
            parsed.columns = columns.map(\.values)
            // The unit attribute completes a bare name (`q` with units `1/nm`, `tth` in `rad`).
            var label = x.name
            if lower.hasPrefix("q"), unit.contains("nm") { label = "q_nm^-1" }
            if isAngle, unit.hasPrefix("rad") { label = "2th_rad" }
            parsed.labels = [label] + columns.dropFirst().map(\.name)
            if columns.count > 2 { parsed.labels[2] = columns[2].name }
            let axis = RadialAxis.from(label: label)
            if case .q = axis {} else if axis != .twoThetaDegrees && axis != .twoThetaRadians { return (plain(name, columns, metadata), []) }
            let read = axis == .twoThetaDegrees
                ? DataFile(format: id, file: file, scans: [ColumnTextReader.scan(parsed, suffix: "", metadata: metadata, file: file)])
                : try ColumnTextReader.radialScan(parsed, axis: axis, suffix: "", metadata: metadata, file: file)
            var scan = read.scans[0]
            scan.name = name
            if let u = columns[1].units.nilIfEmpty { scan.units["intensity"] = u }
            return (scan, read.warnings)
        }
        if lower.hasPrefix("energy") || lower.hasSuffix("energy") || ["ev", "kev"].contains(unit) {
            let keV = unit == "kev" || (unit != "ev" && XASEnergyAxis.looksLikeKeV(x.values))
            var out: OrderedDictionary<String, [Double]> = ["energy": keV ? x.values.map { $0 * 1000 } : x.values]
            var units = ["energy": "eV"]
            for c in columns where !(c.name == "energy") {
                out[c.name] = c.values
                if !c.units.isEmpty { units[c.name] = c.units }
            }
            let note = keV ? ["'\(x.name)' is in keV (\(unit.isEmpty ? "its values say so" : "its units attribute")): energy in eV is it × 1000"] : []
            return (Scan(name: name, kind: .absorption, columns: out, units: units, metadata: metadata), note)
        }
        return (plain(name, columns, metadata), [])
    }

    private static func plain(_ name: String, _ columns: [(name: String, values: [Double], units: String)], _ metadata: Metadata) -> Scan {
        var out: OrderedDictionary<String, [Double]> = [:]
        var units: [String: String] = [:]
        for c in columns {
            out[c.name] = c.values
            if !c.units.isEmpty { units[c.name] = c.units }
        }
        return Scan(name: name, kind: .other, columns: out, units: units, metadata: metadata)
    }
}

private extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
