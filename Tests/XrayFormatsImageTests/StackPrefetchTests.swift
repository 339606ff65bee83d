import Foundation
import Testing
import XrayCore
@testable import XrayFormats

/// `HDF5ImageStack.prefetch` really reads the frames it is asked for into the page cache
/// (checked with `mincore` on a mapping of our own: residency is per file, whoever mapped it).
/// Until session 10 the touching loop was removed by the optimiser in release builds and the
/// read-ahead thread read nothing; this test checks the behaviour in the build it runs in.
@Suite struct StackPrefetchTests {
    /// Fraction of the pages of `range` (bytes of the file) in the page cache.
    static func resident(_ path: String, _ range: Range<Int>) throws -> Double {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw RoentgenError.badParameter("cannot open \(path)") }
        defer { close(fd) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound / page * page, length = range.upperBound - start
        guard let map = mmap(nil, length, PROT_READ, MAP_SHARED, fd, off_t(start)), map != MAP_FAILED else {
            throw RoentgenError.badParameter("cannot map \(path)")
        }
        defer { munmap(map, length) }
        var vector = [UInt8](repeating: 0, count: (length + page - 1) / page)
        guard mincore(map, length, &vector) == 0 else { throw RoentgenError.badParameter("mincore failed") }
        return Double(vector.filter { $0 & 1 != 0 }.count) / Double(vector.count)
    }

    @Test func prefetchReadsTheFramesIntoThePageCache() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-prefetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // 24 frames of 1000 × 1000 float32 (96 MB): over the size from which files are mapped.
        let rows = 1000, columns = 1000, frames = 24
        let frameBytes = rows * columns * 4
        #expect(frames * frameBytes > FormatRegistry.mappingThreshold)
        var values = [Float](repeating: 0, count: frames * rows * columns)
        for i in stride(from: 0, to: values.count, by: 1024) { values[i] = Float(i % 977) }
        var writer = HDF5Writer()
        try writer.createGroup("/entry")
        try writer.createDataset("/entry/frames", .float32(values), shape: [frames, rows, columns])
        let url = folder.appendingPathComponent("stack.h5")
        try writer.data().write(to: url)
        values = []

        let data = try Data(contentsOf: url, options: .alwaysMapped)
        let stack = try HDF5ImageStack(data: data, file: url.path)
        let offset = try #require(stack.contiguousOffset)
        // Drop the file from the page cache (the writer's pages are clean once synced).
        let fd = open(url.path, O_RDONLY)
        #expect(fd >= 0)
        fsync(fd)
        posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        close(fd)
        let asked = offset + 16 * frameBytes ..< offset + 18 * frameBytes
        let before = try Self.resident(url.path, asked)
        guard before < 0.5 else {
            // tmpfs and some overlay file systems keep every page: nothing to observe here.
            print("StackPrefetchTests: the page cache keeps \(url.path) (\(before) resident after eviction); residency not observable")
            return
        }
        stack.prefetch(frames: 16..<18)
        #expect(try Self.resident(url.path, asked) == 1, "frames 16 and 17 read by prefetch")
    }
}
