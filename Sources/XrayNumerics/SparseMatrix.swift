/// A sparse matrix in compressed sparse row (CSR) form: row `i` holds the entries
/// `rowStart[i] ..< rowStart[i + 1]` of `columnIndex` and `values`.
///
/// Built once and applied many times (a detector geometry's pixel-splitting weights are applied
/// to every frame of a stack), so the storage is compact: 32-bit column indices and `Float`
/// values, with sums accumulated in `Double`.
public struct CSRMatrix: Sendable {
    /// Number of rows closed so far.
    public var rows: Int { rowStart.count - 1 }
    public let columns: Int
    public private(set) var rowStart: [Int]
    public private(set) var columnIndex: [Int32]
    public private(set) var values: [Float]

    /// An empty matrix to which rows are appended in order with `appendRow`.
    public init(columns: Int, reservingEntries: Int = 0) {
        self.columns = columns
        rowStart = [0]
        columnIndex = []
        values = []
        columnIndex.reserveCapacity(reservingEntries)
        values.reserveCapacity(reservingEntries)
    }

    /// Appends one entry to the row being built (call `closeRow()` to finish the row).
    @inline(__always) public mutating func append(column: Int, value: Float) {
        columnIndex.append(Int32(truncatingIfNeeded: column))
        values.append(value)
    }

    /// Finishes the current row (possibly empty) and starts the next.
    public mutating func closeRow() {
        rowStart.append(columnIndex.count)
    }

    /// Number of stored entries.
    public var entryCount: Int { values.count }

    /// `A · x` (length `rows`).
    public func multiply(_ x: [Double]) -> [Double] {
        precondition(x.count == columns, "CSRMatrix.multiply: vector of \(x.count), \(columns) columns")
        var y = [Double](repeating: 0, count: rowStart.count - 1)
        for i in 0..<(rowStart.count - 1) {
            var s = 0.0
            for e in rowStart[i]..<rowStart[i + 1] { s += Double(values[e]) * x[Int(columnIndex[e])] }
            y[i] = s
        }
        return y
    }

    /// `Aᵀ · x` (length `columns`): each row scatters into the columns it touches.
    public func transposeMultiply(_ x: [Double]) -> [Double] {
        precondition(x.count == rowStart.count - 1, "CSRMatrix.transposeMultiply: vector of \(x.count), \(rowStart.count - 1) rows")
        var y = [Double](repeating: 0, count: columns)
        for i in 0..<(rowStart.count - 1) where x[i] != 0 {
            for e in rowStart[i]..<rowStart[i + 1] { y[Int(columnIndex[e])] += Double(values[e]) * x[i] }
        }
        return y
    }
}
