import Foundation

/// Locates the real data in `../shared/data` (beside the project root) for conformance tests.
///
/// Tests read these files in place; they are never copied into the repository. Where
/// `../shared` is absent, `SharedData.url` returns nil and tests skip, saying why.
public enum SharedData {
    /// The project root (the folder holding Package.swift).
    public static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `../shared/data` beside the project root, or `$ROENTGEN_SHARED_DATA` if set.
    public static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["ROENTGEN_SHARED_DATA"] {
            return URL(fileURLWithPath: override)
        }
        return projectRoot.appendingPathComponent("../shared/data").standardized
    }()

    /// Whether the shared data folder is present.
    public static var isPresent: Bool { FileManager.default.fileExists(atPath: root.path) }

    /// The URL of `relativePath` under `../shared/data`, or nil if it does not exist.
    public static func url(_ relativePath: String) -> URL? {
        let url = root.appendingPathComponent(relativePath)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// A small fixture committed under `Tests/Fixtures/` (e.g. `fidelity/dioptas_batch.nxs`).
    public static func fixture(_ relativePath: String) -> URL {
        projectRoot.appendingPathComponent("Tests/Fixtures/\(relativePath)")
    }

    /// The message tests give when they skip for want of shared data.
    public static func missing(_ relativePath: String) -> String {
        "../shared/data/\(relativePath) is absent: skipping (tests read the real files in place)"
    }
}

/// Runs the built `roentgen` executable, for end-to-end tests of the CLI.
public enum RoentgenCLI {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    static let slots = ProcessSlots(limit: ProcessInfo.processInfo.activeProcessorCount)

    /// The `roentgen` binary next to the test bundle (SwiftPM builds it with the tests).
    public static var executable: URL {
        var dir = Bundle.main.bundleURL
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        let candidate = dir.appendingPathComponent("roentgen")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("roentgen")
    }

    /// Runs `roentgen args…` as `run` does, without holding a thread of the cooperative pool while the
    /// process runs: the waiting is done on a thread of its own. Async tests call this one (the
    /// compiler picks it in an async context). Swift Testing runs the suites in parallel on the
    /// cooperative pool, two threads on this machine; tests that block it for the seconds a CLI run
    /// takes made other tests' awaits resume late (a 1 s search timed out after 29 s in a CI run).
    /// At most as many CLI processes run at once as the machine has cores; the others' tests wait
    /// suspended (no thread held), so the suite does not start dozens of processes together.
    public static func run(_ args: [String], environment: [String: String] = [:], stdin: Data? = nil) async throws -> Result {
        await slots.acquire()
        defer { Task { await slots.release() } }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let thread = Thread {
                do { continuation.resume(returning: try run(args, environment: environment, stdin: stdin) as Result) } catch { continuation.resume(throwing: error) }
            }
            thread.name = "roentgen CLI test run"
            thread.start()
        }
    }

    /// Runs `roentgen args…` with `environment` added to the current one, and captures the output.
    public static func run(_ args: [String], environment: [String: String] = [:], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        // Read both pipes concurrently so a large output cannot dead-lock the child.
        let errBox = PipeDataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A counting semaphore for async code: `acquire` suspends the task (holding no thread) until one
/// of `limit` slots is free.
actor ProcessSlots {
    private let limit: Int
    private var busy = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire() async {
        if busy < limit { busy += 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { busy -= 1 } else { waiting.removeFirst().resume() }
    }
}

/// The standard-error bytes read on another thread; written once before `DispatchGroup.leave()` and read
/// only after `wait()`, so the group orders the two accesses.
private final class PipeDataBox: @unchecked Sendable {
    var data = Data()
}
