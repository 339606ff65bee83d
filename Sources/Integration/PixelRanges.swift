import Foundation

/// `body(range)` for `threads` contiguous ranges of `0 ..< count` (range t is
/// `count·t/threads ..< count·(t+1)/threads`), run in parallel; the results in range order.
/// The frame loops accumulate each range into arrays of their own and add the partial sums
/// afterwards, so no two threads write the same memory.
func perPixelRange<T>(_ count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
    let threads = max(1, threads)
    var results = [T?](repeating: nil, count: threads)
    results.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let out = buffer   // each thread writes its own slot
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            out[t] = body(count * t / threads ..< count * (t + 1) / threads)
        }
    }
    return results.map { $0! }   // every slot was written above
}

/// `body` over `count` items split into `threads` contiguous ranges (as `perPixelRange`), run concurrently.
func forEachRange(_ count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
    _ = perPixelRange(count, threads: min(max(1, threads), max(1, count))) { body($0) }
}
