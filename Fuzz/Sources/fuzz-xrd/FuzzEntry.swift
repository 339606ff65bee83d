import Foundation
import XrayCore
import XrayFormats

/// libFuzzer entry: every reader parses the input directly (whatever its signature), then the
/// registry detects and reads it. A RoentgenError is the expected way to fail; any other error
/// type, a trap or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    for reader in FormatRegistry.readers {
        check { _ = try reader.read(data, file: "fuzz-input") }
    }
    check { _ = try FormatRegistry.read(data, file: "fuzz-input") }
    return 0
}

private func check(_ body: () throws -> Void) {
    do {
        try body()
    } catch is RoentgenError {
    } catch {
        fatalError("non-RoentgenError thrown: \(error)")
    }
}

/// libFuzzer's driver, exported by the runtime that `-sanitize=fuzzer` links in.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links executables with their entry point renamed to `<module>_main`; hand it to libFuzzer.
@_cdecl("fuzz_xrd_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { bytes, size in fuzzOneInput(bytes, size) }
}
