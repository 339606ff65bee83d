import Foundation

extension String {
    /// The text padded with spaces to `width` characters (unchanged when longer), for the aligned
    /// columns of the commands' text reports.
    public func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
