import Foundation
import XrayCore

/// `integrate --frames`: which frames of each image to integrate, as a Python slice without a step
/// (`K` one frame, `A:B` frames A to B − 1, `A:` from A to the end, `:B` up to B − 1; frames count from 0).
public struct FrameSelection: Sendable, Equatable {
    public var lower: Int
    /// Exclusive; nil: to the end.
    public var upper: Int?
    /// Whether the text named one frame (`K`): then a file without that frame is an error.
    public var single: Bool

    /// Parses `spec`; a malformed one is a `badParameter` error naming `--frames`.
    public init(_ spec: String) throws {
        let text = spec.trimmingCharacters(in: .whitespaces)
        func bad() -> RoentgenError { RoentgenError.badParameter("--frames '\(spec)': give K, A:B (frames A to B−1), A: or :B, frames counted from 0") }
        if !text.contains(":") {
            guard let k = Int(text), k >= 0 else { throw bad() }
            (lower, upper, single) = (k, k + 1, true)
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { throw bad() }
        let a = parts[0].isEmpty ? 0 : Int(parts[0]), b = parts[1].isEmpty ? nil : Int(parts[1])
        guard let a, a >= 0, parts[1].isEmpty || (b != nil && b! > a) else { throw bad() }
        (lower, upper, single) = (a, b, false)
    }

    /// The frames of an image of `count` frames (a range past its end is cut there); an empty
    /// selection is a `badParameter` error naming `file`.
    public func frames(of count: Int, file: String) throws -> Range<Int> {
        let end = min(upper ?? count, count)
        guard lower < end else {
            throw RoentgenError(.badParameter, "--frames selects \(single ? "frame \(lower)" : "frames from \(lower)"); the image has \(count) frame\(count == 1 ? "" : "s") (0 to \(count - 1))", file: file)
        }
        return lower..<end
    }
}
