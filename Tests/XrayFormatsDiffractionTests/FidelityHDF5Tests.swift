import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Issue #13, classes 9 (HDF5 user blocks, HDF4 named) and 10 (NeXus / NetCDF-4 layouts), on the
/// fixtures of `Tests/Fixtures/fidelity/` (made by `make_hdf5_layouts.py`) and one real file.
@Suite struct FidelityHDF5Tests {
    @Test func superblockAfterA1024ByteUserBlock() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/userblock_1024.h5"))
        #expect(file.format == "hdf5")
        let scan = try #require(file.scans.first)
        let energy = try #require(scan.columns["energy"]), mu = try #require(scan.columns["mu"])
        #expect(energy.count == 21 && energy[0] == 8900 && energy[20] == 9100)
        #expect(abs(mu.reduce(0, +) - 12.6) < 1e-9)
    }

    /// An SLS PolLux file with a 32768-byte user block whose superblock stores base address 0
    /// (the HDF5 library then counts addresses from the superblock). h5py reads
    /// `/entry1/control/sample_x` as 25 values from -29.731 to -24.931 summing to -683.275.
    @Test func superblockAfterA32KiBUserBlock() throws {
        let path = "wide/hdf5/nexus_Focus_2021-03-16_051.hdf5"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        let file = try FormatRegistry.read(url)
        #expect(file.format == "hdf5")
        let control = try #require(file.scans.first { $0.name == "entry1/control" })
        let x = try #require(control.columns["sample_x"])
        #expect(x.count == 25 && abs(x[0] + 29.731) < 1e-6 && abs(x[24] + 24.931) < 1e-6)
        #expect(abs(x.reduce(0, +) + 683.275) < 1e-6)
    }

    @Test func hdf4IsNamed() throws {
        do {
            _ = try FormatRegistry.read(SharedData.fixture("fidelity/hdf4_signature.hdf"))
            Issue.record("an HDF4 file was read")
        } catch let error as RoentgenError {
            #expect(error.kind == .unsupportedFormat)
            #expect(error.message.contains("HDF4"), "\(error.message)")
        }
    }

    /// `axes = [".", "binning"]` over a 3 × 50 signal: three patterns over `binning`.
    @Test func nxdataSeriesOverANamedAxis() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/dioptas_batch.nxs"))
        #expect(file.scans.count == 3)
        for (k, scan) in file.scans.enumerated() {
            let x = try #require(scan.columns.values.first), y = try #require(scan.columns["I"] ?? scan.columns["intensity"])
            #expect(x.count == 50 && abs(x[0] - 1) < 1e-12 && abs(x[49] - 25.5) < 1e-12)
            #expect(y.count == 50 && y[0] == 100 * Double(k + 1) && y[49] == 100 * Double(k + 1) + 49)
        }
    }

    /// NetCDF-4: `/angle` (60) and `/intensity` (1 × 60) are one pattern.
    @Test func netCDF4LeadingDimensionOfOne() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/netcdf4_pattern.nc"))
        let scan = try #require(file.scans.first { $0.columns.values.contains { $0.count == 60 } })
        let columns = scan.columns.values.filter { $0.count == 60 }
        #expect(columns.contains { $0.first == 5 && $0.last == 34.5 })
        #expect(columns.contains { $0.first == 10 && $0.last == 69 && $0.reduce(0, +) == 2370 })
    }
}
