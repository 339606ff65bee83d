import Catalog
import Foundation
import XrayCore

/// Downloads started through the API, run as background jobs whose progress a client follows
/// (Server-Sent Events) and may cancel.
public final class FetchJobs: @unchecked Sendable {
    /// The state of one job, as `GET /api/jobs/{id}` returns it.
    public struct Job: Codable, Sendable {
        public var id: String
        public var target: String
        /// `running`, `done`, `failed` or `cancelled`.
        public var status: String
        /// The file being downloaded.
        public var file: String?
        public var received: Int64 = 0
        public var total: Int64?
        /// Workspace paths of the delivered files, when done.
        public var files: [String] = []
        public var error: String?
    }

    private let lock = NSLock()
    private var jobs: [String: Job] = [:]
    private var tasks: [String: Task<Void, Never>] = [:]
    private var next = 0

    public init() {}

    public func job(_ id: String) -> Job? { lock.withLock { jobs[id] } }

    private func update(_ id: String, _ change: (inout Job) -> Void) {
        lock.withLock {
            guard var job = jobs[id], job.status == "running" else { return }
            change(&job)
            jobs[id] = job
        }
    }

    /// Starts fetching `target` into `folder` (inside the workspace); returns the job's id at once.
    public func start(target: String, only: String?, folder: URL, workspace: Workspace, fetcher: Fetcher) -> String {
        let id: String = lock.withLock {
            next += 1
            let id = "job\(next)"
            jobs[id] = Job(id: id, target: target, status: "running")
            return id
        }
        let task = Task.detached { [self] in
            do {
                let results = try await fetcher.fetch(target, only: only, to: folder) { item, received, total in
                    self.update(id) { $0.file = item.name; $0.received = received; $0.total = total }
                }
                try Task.checkCancellation()
                let root = workspace.root.path + "/"
                let files = results.compactMap { $0.delivered?.standardizedFileURL.path }.map { $0.hasPrefix(root) ? String($0.dropFirst(root.count)) : $0 }
                self.update(id) { $0.status = "done"; $0.files = files }
            } catch {
                let message = (error as? RoentgenError)?.description ?? (error is CancellationError ? "cancelled" : "\(error)")
                self.update(id) { $0.status = error is CancellationError ? "cancelled" : "failed"; $0.error = message }
            }
        }
        lock.withLock { tasks[id] = task }
        return id
    }

    /// Cancels a running job; its partial download stays in the cache to resume later.
    public func cancel(_ id: String) -> Job? {
        let task: Task<Void, Never>? = lock.withLock {
            guard var job = jobs[id] else { return nil }
            if job.status == "running" { job.status = "cancelled"; job.error = "cancelled by the client"; jobs[id] = job }
            return tasks[id]
        }
        task?.cancel()
        return job(id)
    }
}
