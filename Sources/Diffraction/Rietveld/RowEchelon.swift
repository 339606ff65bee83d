/// Reduced row-echelon form by Gauss–Jordan elimination with partial pivoting, pivoting on
/// `columns` in the order given (a column without a usable pivot, |value| ≤ 1e-9, is skipped).
/// Shared by the site-symmetry constraints on coordinates and on displacement tensors, which
/// solve the stacked (R − I) rows of a site's operators this way.
func reducedRowEchelon(_ rows: [[Double]], pivotingOn columns: [Int]) -> (rows: [[Double]], pivots: [(row: Int, column: Int)]) {
    var m = rows
    var pivots: [(row: Int, column: Int)] = []
    var lead = 0
    for column in columns {
        guard lead < m.count else { break }
        guard let p = (lead..<m.count).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }),
              abs(m[p][column]) > 1e-9 else { continue }
        m.swapAt(p, lead)
        let scale = m[lead][column]
        m[lead] = m[lead].map { $0 / scale }
        for i in 0..<m.count where i != lead {
            let factor = m[i][column]
            if factor != 0 { m[i] = zip(m[i], m[lead]).map { $0 - factor * $1 } }
        }
        pivots.append((lead, column))
        lead += 1
    }
    return (m, pivots)
}
